import { describe, expect, it, vi } from "vitest";
import type { Api, FetchOutcome, PendingIssuance, Settings } from "./api";
import { checkSummary, isBadNews, outcomeLine, pendingLine, pendingTypeName } from "./pending";
import { Store } from "./store";

const MEDICAL: PendingIssuance = {
  id: "p1",
  credential_issuer: "https://hospital.example/",
  configuration_id: "medical_summary",
  vct: "https://civitas.example/credentials/medical-summary/v1",
  type_name: "Medical summary",
  created: 1_780_000_000,
  next_poll: 1_780_000_005,
  expires: 1_782_592_000,
};

const ended = (code: string): FetchOutcome => ({ outcome: "ended", pending: MEDICAL, code, reason: "r" });

describe("pending credentials", () => {
  it("names the type in both languages and says who is waited for since when", () => {
    expect(pendingTypeName(MEDICAL, "en-US")).toBe("Medical summary");
    expect(pendingTypeName(MEDICAL, "zh-TW")).toBe("醫療摘要");
    expect(pendingTypeName({ ...MEDICAL, vct: "urn:other", type_name: "" }, "en-US")).toBe("urn:other");
    const en = pendingLine(MEDICAL, "en-US");
    expect(en).toContain("Medical summary from hospital.example");
    expect(en).toContain("waiting for the issuer's approval since");
    expect(en).toContain("2026");
    const zh = pendingLine(MEDICAL, "zh-TW");
    expect(zh).toContain("hospital.example 的醫療摘要");
    expect(zh).toContain("等待核發者核准");
  });

  it("says what a check gave in plain words: arrived, still waiting, refused, expired, unreachable", () => {
    const received = { outcome: "received", pending: MEDICAL, issued: {} } as unknown as FetchOutcome;
    expect(outcomeLine(received, "en-US")).toBe("Your Medical summary from hospital.example has arrived and is in your wallet.");
    expect(outcomeLine({ outcome: "still-pending", pending: MEDICAL }, "en-US")).toContain("has not approved");
    expect(outcomeLine(ended("credential_request_denied"), "en-US")).toContain("refused to issue your Medical summary");
    expect(outcomeLine(ended("credential_request_denied"), "zh-TW")).toContain("拒絕核發您的醫療摘要");
    for (const code of ["pending_expired", "invalid_transaction_id", "invalid_token"]) {
      expect(outcomeLine(ended(code), "en-US")).toContain("has run out");
      expect(outcomeLine(ended(code), "zh-TW")).toContain("已經逾期");
    }
    expect(outcomeLine(ended("issuer_not_accredited"), "en-US")).toContain("(issuer_not_accredited)");
    const failed: FetchOutcome = { outcome: "failed", pending: MEDICAL, code: "issuer_unreachable", reason: "r" };
    expect(outcomeLine(failed, "en-US")).toContain("cannot be reached");
    expect(isBadNews(failed)).toBe(true);
    expect(isBadNews(received)).toBe(false);
  });

  it("puts good news in the status line and bad news in the alert", () => {
    const received = { outcome: "received", pending: MEDICAL, issued: {} } as unknown as FetchOutcome;
    expect(checkSummary([received], "en-US")).toEqual({ notice: outcomeLine(received, "en-US"), alert: null });
    const mixed = checkSummary([received, ended("credential_request_denied")], "en-US");
    expect(mixed.notice).toContain("arrived");
    expect(mixed.alert).toContain("refused");
    expect(checkSummary([ended("pending_expired")], "en-US").notice).toBeNull();
    expect(checkSummary([], "zh-TW")).toEqual({ notice: "核發者目前沒有新的消息。", alert: null });
  });
});

describe("the store asks for pending credentials", () => {
  function api(over: Partial<Api>): Api {
    return {
      getSettings: async (): Promise<Settings> => ({ ledger: { kind: "embedded" }, locale: "en-US", theme: "system", text_size: 1, trusted_roots: [] }),
      appState: async () => ({ has_wallet: true, unlocked: true, recovery_pending: false, open_error: null, wallet_dir: "/w", backup_dir: "/b" }),
      identity: async () => ({ did: "did:webvh:x" }),
      listCredentials: async () => [],
      credentialDetails: async () => null,
      pendingCredentials: async () => [],
      fetchPending: async () => [],
      ...over,
    } as unknown as Api;
  }

  it("when the app opens: only what is due, and nothing is said when nothing came", async () => {
    const fetchPending = vi.fn(async () => [] as FetchOutcome[]);
    const store = new Store(api({ pendingCredentials: async () => [MEDICAL], fetchPending }));
    await store.start();
    expect(fetchPending).toHaveBeenCalledWith(false);
    expect(store.state.pending).toEqual([MEDICAL]);
    expect(store.state.notice).toBeNull();
    expect(store.state.error).toBeNull();
  });

  it("when the app opens: an issuer that cannot be reached, or has not approved yet, is not an alert", async () => {
    const failed: FetchOutcome = { outcome: "failed", pending: MEDICAL, code: "issuer_unreachable", reason: "r" };
    const still: FetchOutcome = { outcome: "still-pending", pending: MEDICAL };
    const store = new Store(api({ pendingCredentials: async () => [MEDICAL], fetchPending: async () => [failed, still] }));
    await store.start();
    expect(store.state.error).toBeNull();
    expect(store.state.notice).toBeNull();
    expect(store.state.pending).toEqual([MEDICAL]);
    // Pressed by the citizen, the same is said.
    await store.nav("credentials");
    await store.checkPending();
    expect(store.state.error).toContain("cannot be reached");
    expect(store.state.notice).toContain("has not approved");
  });

  it("when the app opens: a refused credential is said, as an alert", async () => {
    const store = new Store(api({ pendingCredentials: async () => [MEDICAL], fetchPending: async () => [ended("credential_request_denied")] }));
    await store.start();
    expect(store.state.screen).toBe("home");
    expect(store.state.error).toContain("refused to issue your Medical summary");
  });

  it("check now: asks for all; an arrived credential moves into the list, a refused one is an alert", async () => {
    let waiting = [MEDICAL, { ...MEDICAL, id: "p2" }];
    const listed = [{ id: "c1", vct: MEDICAL.vct }];
    const fetchPending = vi.fn(async (force: boolean): Promise<FetchOutcome[]> => {
      expect(force).toBe(true);
      waiting = [];
      return [{ outcome: "received", pending: MEDICAL, issued: {} } as unknown as FetchOutcome, ended("credential_request_denied")];
    });
    const store = new Store(
      api({ pendingCredentials: async () => waiting, fetchPending: fetchPending as unknown as Api["fetchPending"], listCredentials: async () => (waiting.length ? [] : listed) as never }),
    );
    await store.nav("credentials");
    expect(store.state.pending.length).toBe(2);
    expect(await store.checkPending()).toBe(true);
    expect(store.state.pending).toEqual([]);
    expect(store.state.credentials).toEqual(listed);
    expect(store.state.notice).toContain("has arrived");
    expect(store.state.error).toContain("refused to issue");
    expect(store.state.checked?.length).toBe(2);
  });
});
