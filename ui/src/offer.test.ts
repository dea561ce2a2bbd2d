import { describe, expect, it, vi } from "vitest";
import type { Accepted, Api, AppStatus, OfferPreview, Received, Settings } from "./api";
import { describeError } from "./errors";
import { accreditationLine, isOfferLink, issuerName, offerTypeName, pinLabel, pinProblem, resultLine } from "./offer";
import { Store } from "./store";

const OFFER: OfferPreview = {
  credential_issuer: "http://127.0.0.1:8090",
  issuer_name: "Taipei City Hall",
  issuer_name_zh: "臺北市政府",
  configuration_id: "pid",
  vct: "https://credentials.civitas.example/pid",
  type_name: "Personal ID",
  type_name_zh: "身分證明",
  pin_required: true,
  pin_length: 6,
  pin_numeric: true,
  pin_description: "The PIN the clerk gave you",
};

const RECEIVED: Received = {
  id: "c1",
  vct: OFFER.vct,
  type_name: "Personal ID",
  issuer: "did:webvh:abc:city",
  accreditation: { status: "accredited", names: ["Taipei City Hall"], root: "did:webvh:root" },
  binding: { kind: "did" },
} as unknown as Received;

const ISSUED: Accepted = { outcome: "issued", received: RECEIVED, credential_issuer: OFFER.credential_issuer };

describe("the offer screen's logic", () => {
  it("names the issuer and the type in the citizen's language, with fallbacks", () => {
    expect(issuerName(OFFER, "en-US")).toBe("Taipei City Hall");
    expect(issuerName(OFFER, "zh-TW")).toBe("臺北市政府");
    expect(issuerName({ ...OFFER, issuer_name_zh: null }, "zh-TW")).toBe("Taipei City Hall");
    expect(issuerName({ ...OFFER, issuer_name: null, issuer_name_zh: null }, "en-US")).toBe("http://127.0.0.1:8090");
    expect(offerTypeName(OFFER, "en-US")).toBe("Personal ID");
    expect(offerTypeName(OFFER, "zh-TW")).toBe("身分證明");
  });

  it("recognises offer links and nothing else", () => {
    expect(isOfferLink(" openid-credential-offer://?credential_offer=%7B%7D")).toBe(true);
    expect(isOfferLink("https://city.example/o?credential_offer_uri=https%3A%2F%2Fx")).toBe(true);
    expect(isOfferLink("CIV1:ABC")).toBe(false);
    expect(isOfferLink("eyJhbGciOi")).toBe(false);
    expect(isOfferLink("openid4vp://?request=x")).toBe(false);
  });

  it("checks the PIN: present, digits only, the offer's length", () => {
    expect(pinProblem(OFFER, "")).toBe("offer.pin_empty");
    expect(pinProblem(OFFER, "12a456")).toBe("offer.pin_digits");
    expect(pinProblem(OFFER, "12345")).toBe("offer.pin_length");
    expect(pinProblem(OFFER, " 123456 ")).toBeNull();
    expect(pinProblem({ ...OFFER, pin_length: null }, "12")).toBeNull();
    expect(pinProblem({ ...OFFER, pin_required: false }, "")).toBeNull();
    expect(pinLabel(OFFER, "en-US")).toBe("PIN (6 digits)");
    expect(pinLabel(OFFER, "zh-TW")).toBe("PIN 碼（6 位數字）");
  });

  it("says who accredited the issuer, and what was kept", () => {
    expect(accreditationLine(RECEIVED.accreditation, "en-US")).toBe(
      "Checked on the city's ledger: accredited as Taipei City Hall by an authority you trust (did:webvh:root).",
    );
    expect(accreditationLine({ status: "not-accredited" }, "en-US")).toMatch(/not accredited/);
    expect(accreditationLine({ status: "unchecked", reason: "ledger down" }, "zh-TW")).toBe("無法檢查認可：ledger down");
    expect(resultLine(ISSUED, OFFER, "en-US")).toBe("Kept in your wallet: Personal ID from Taipei City Hall.");
    expect(resultLine(ISSUED, OFFER, "zh-TW")).toBe("已保存到您的錢包：臺北市政府 核發的身分證明。");
    const pending = { outcome: "pending", type_name: "Personal ID" } as unknown as Accepted;
    expect(resultLine(pending, OFFER, "en-US")).toMatch(/is preparing your Personal ID/);
  });
});

describe("the issuer's refusals in plain words", () => {
  const say = (code: string, locale: "en-US" | "zh-TW" = "en-US") =>
    describeError({ code, message: "the issuer refused the token request: x" }, locale).text;

  it("explains a wrong PIN or a used offer, in both languages", () => {
    expect(say("invalid_grant")).toBe(
      "The PIN is not right, or the offer is no longer valid. Check the PIN; if it still fails, ask the issuer for a new offer.",
    );
    expect(say("invalid_grant", "zh-TW")).toMatch(/^PIN 碼不正確/);
  });

  it("explains the wallet's own refusals", () => {
    expect(say("issuer_not_accredited")).toMatch(/not accredited by the city/);
    expect(say("wrong_credential_type")).toMatch(/different credential/);
    expect(say("tx_code_required")).toMatch(/asks for the PIN/);
    expect(say("unknown_credential_configuration")).toMatch(/does not offer/);
    expect(say("invalid_proof", "zh-TW")).toMatch(/金鑰證明/);
    expect(say("no_offer")).toBe("Please open the issuer's offer again.");
  });

  it("keeps the reason for an unusable offer (e.g. an insecure issuer address)", () => {
    const e = { code: "invalid_request", message: "credential_issuer: not an https URL" };
    expect(describeError(e, "en-US").text).toBe("This offer cannot be used (credential_issuer: not an https URL)");
    expect(describeError({ code: "issuer_unreachable", message: "connection refused" }, "zh-TW").text).toMatch(
      /^無法連線到核發者.*\(connection refused\)$/,
    );
  });
});

const APP: AppStatus = {
  has_wallet: true,
  unlocked: true,
  recovery_pending: false,
  open_error: null,
  wallet_dir: "/w",
  backup_dir: "/b",
};

function fakeApi(over: Partial<Api> = {}): Api {
  const api = {
    getSettings: async (): Promise<Settings> => ({ ledger: { kind: "embedded" }, locale: "en-US", theme: "system", text_size: 1, trusted_roots: [] }),
    appState: async () => APP,
    identity: async () => ({ did: "did:webvh:x", credentials: 0, history_entries: 0 }),
    listCredentials: async () => [],
    pendingCredentials: async () => [],
    fetchPending: async () => [],
    credentialDetails: async () => null,
    holderKey: async () => ({ jwk: { kty: "EC" }, thumbprint: "t" }),
    ...over,
  };
  return api as unknown as Api;
}

describe("the store's offer flow", () => {
  it("previews, then accepts with the PIN; a new visit to Receive forgets it", async () => {
    const previewOffer = vi.fn(async () => OFFER);
    const acceptOffer = vi.fn(async () => ISSUED);
    const store = new Store(fakeApi({ previewOffer, acceptOffer }));
    await store.start();
    await store.nav("receive");
    expect(await store.previewOffer("  openid-credential-offer://?credential_offer=x \n")).toBe(true);
    expect(previewOffer).toHaveBeenCalledWith("openid-credential-offer://?credential_offer=x");
    expect(acceptOffer).not.toHaveBeenCalled();
    expect(store.state.offer).toBe(OFFER);
    expect(store.state.screen).toBe("receive");
    expect(await store.acceptOffer("123456")).toBe(true);
    expect(acceptOffer).toHaveBeenCalledWith("123456");
    expect(store.state.offerResult).toBe(ISSUED);
    await store.nav("receive");
    expect(store.state.offer).toBeNull();
    expect(store.state.offerResult).toBeNull();
  });

  it("shows a refused PIN as an alert and stays on the offer", async () => {
    const acceptOffer = vi.fn(async () => Promise.reject({ code: "invalid_grant", message: "the issuer refused the token request" }));
    const store = new Store(fakeApi({ previewOffer: async () => OFFER, acceptOffer }));
    await store.start();
    await store.previewOffer("openid-credential-offer://?credential_offer=x");
    expect(await store.acceptOffer("000000")).toBe(false);
    expect(store.state.error).toMatch(/^The PIN is not right/);
    expect(store.state.offer).toBe(OFFER);
    expect(store.state.offerResult).toBeNull();
  });

  it("shows why an offer cannot be opened", async () => {
    const store = new Store(
      fakeApi({ previewOffer: async () => Promise.reject({ code: "invalid_request", message: "not an https URL" }) }),
    );
    await store.start();
    expect(await store.previewOffer("openid-credential-offer://?credential_offer=x")).toBe(false);
    expect(store.state.error).toBe("This offer cannot be used (not an https URL)");
    expect(store.state.offer).toBeNull();
  });
});
