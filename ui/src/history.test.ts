import { describe, expect, it } from "vitest";
import type { HistoryView } from "./api";
import { describeEvent, describeProblem } from "./history";

const base = { hash: "h", prev: "p", seq: 2, time: 1700000000, claim_labels: [] as [string, string][] };

describe("history sentences", () => {
  it("tells who was shown which claims, by name, in both languages", () => {
    const h: HistoryView = {
      ...base,
      event: "presented",
      credential: "c:01",
      vct: "https://civitas.example/credentials/pid/v1",
      aud: "redirect_uri:https://counter-7.city.example/post",
      nonce: "n",
      claims: ["age_over_18", "address.locality"],
      type_names: ["Personal ID", "個人身分證明"],
      claim_labels: [["Over 18", "年滿 18 歲"], ["City", "城市"]],
    };
    expect(describeEvent(h, "en-US")).toBe("Showed Over 18, City from Personal ID to counter-7.city.example");
    expect(describeEvent(h, "zh-TW")).toContain("年滿 18 歲");
  });

  it("falls back to the type URI when the type has no name", () => {
    const h: HistoryView = { ...base, event: "deleted", credential: "c:01", vct: "urn:x", type_names: null };
    expect(describeEvent(h, "en-US")).toContain("urn:x");
  });

  it("puts a problem's numbers into its sentence", () => {
    expect(describeProblem({ problem: "missing", from: 3, to: 5 }, "en-US")).toBe("History entries #3 to #5 were deleted.");
  });

  it("says where an issued credential came from, in both languages", () => {
    const h: HistoryView = {
      ...base,
      event: "issued",
      credential: "c1",
      vct: "https://credentials.civitas.example/pid/v1",
      issuer: "did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2In0",
      credential_issuer: "https://issuer.city.example",
      type_names: ["Personal ID", "身分證明"],
    };
    expect(describeEvent(h, "en-US")).toBe(
      "Received Personal ID from did:jwk:eyJrdHkiOiJF… (issued by https://issuer.city.example)",
    );
    expect(describeEvent(h, "zh-TW")).toBe("從 did:jwk:eyJrdHkiOiJF… 收到身分證明（由 https://issuer.city.example 核發）");
  });

  it("says a refused receipt with its code, and a deleted state record", () => {
    const h: HistoryView = { ...base, event: "receipt-refused", entry: 4, code: "receipt_wrong_nonce", type_names: null };
    expect(describeEvent(h, "en-US")).toBe("Receipt refused: receipt_wrong_nonce (entry #4)");
    expect(describeEvent(h, "zh-TW")).toContain("receipt_wrong_nonce");
    expect(describeProblem({ problem: "state-missing" }, "en-US")).toContain("state record was deleted");
    expect(describeProblem({ problem: "state-missing" }, "zh-TW")).toContain("狀態紀錄");
  });

  it("says a deferred issuance: waiting, and why it ended", () => {
    const pending = { ...base, event: "pending", pending: "p1", vct: "https://x/pid", credential_issuer: "https://city.example", type_names: ["Personal ID", "個人身分證明"] } as HistoryView;
    expect(describeEvent(pending, "en-US")).toBe("Waiting for Personal ID from https://city.example");
    const ended = { ...base, event: "pending-ended", pending: "p1", vct: "https://x/pid", credential_issuer: "https://city.example", code: "credential_request_denied", type_names: ["Personal ID", "個人身分證明"] } as HistoryView;
    expect(describeEvent(ended, "zh-TW")).toBe("https://city.example 不會核發個人身分證明：credential_request_denied");
  });
});
