import { describe, expect, it } from "vitest";
import { describeError, isAppError, toAppError } from "./errors";

describe("error display", () => {
  it("recognises the {code, message} shape the Rust side sends", () => {
    expect(isAppError({ code: "locked", message: "the wallet is locked" })).toBe(true);
    expect(isAppError({ code: 1, message: "x" })).toBe(false);
    expect(isAppError("boom")).toBe(false);
    expect(isAppError(null)).toBe(false);
  });

  it("translates a wrong passphrase, in both languages", () => {
    const e = { code: "wrong_passphrase", message: "wrong passphrase (1 failed attempt(s) in a row)" };
    expect(describeError(e, "en-US")).toEqual({
      text: "That passphrase is not right. Please try again.",
      code: "wrong_passphrase",
      needsUnlock: false,
    });
    expect(describeError(e, "zh-TW").text).toBe("通關密語不正確，請再試一次。");
  });

  it("puts the wait into the rate-limit sentence", () => {
    const e = { code: "rate_limited", message: "too many wrong passphrases: try again in 30 s" };
    expect(describeError(e, "en-US").text).toBe("Too many wrong passphrases. Please wait 30 seconds, then try again.");
  });

  it("asks to unlock again when the wallet locked itself", () => {
    expect(describeError({ code: "locked", message: "x" }, "en-US").needsUnlock).toBe(true);
  });

  it("keeps the wallet's specific reason for a refused credential", () => {
    const d = describeError({ code: "credential_refused", message: "credential refused: expired" }, "en-US");
    expect(d.text).toBe("This credential was refused (credential refused: expired)");
  });

  it("groups request and QR failures, with the detail", () => {
    expect(describeError({ code: "openid4vp.invalid_url", message: "no scheme" }, "en-US").text).toBe(
      "This is not a valid counter request. (no scheme)",
    );
    expect(describeError({ code: "qr.no_code", message: "no QR code found" }, "en-US").text).toMatch(/^No readable QR code/);
  });

  it("shows an unknown code's message as is, and never an object", () => {
    expect(describeError({ code: "storage", message: "vault storage error: disk full" }, "en-US").text).toBe(
      "vault storage error: disk full",
    );
    expect(toAppError(new Error("bad"))).toEqual({ code: "internal", message: "bad" });
    expect(toAppError("ipc failed")).toEqual({ code: "internal", message: "ipc failed" });
    expect(describeError({ weird: true }, "en-US").text).toBe("Something went wrong.");
  });
});
