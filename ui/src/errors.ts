// Errors from the Rust side arrive as {code, message} (src-tauri/src/error.rs pins the
// shape). This module recognises them and turns them into what the citizen reads:
// a translated sentence for the codes we know, the English message otherwise, and
// never a stack trace or a raw object.
import { type Locale, t } from "./i18n";

export interface AppError {
  code: string;
  message: string;
}

export function isAppError(e: unknown): e is AppError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as AppError).code === "string" &&
    typeof (e as AppError).message === "string"
  );
}

/** Anything thrown, as an AppError (a string from Tauri itself, an Error, junk). */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return { code: e.code, message: e.message };
  if (typeof e === "string") return { code: "internal", message: e };
  if (e instanceof Error) return { code: "internal", message: e.message };
  return { code: "internal", message: "Something went wrong." };
}

export interface ErrorDisplay {
  /** The sentence to show (translated when the code is known). */
  text: string;
  /** The code, for support. */
  code: string;
  /** Whether the citizen should unlock again (the wallet locked itself). */
  needsUnlock: boolean;
}

// Codes with a sentence of their own; the others show the Rust message as is.
const KNOWN = [
  "wrong_passphrase",
  "rate_limited",
  "locked",
  "weak_passphrase",
  "busy",
  "no_wallet",
  "not_a_credential",
  "credential_refused",
  "no_holder_binding",
  "not_our_binding",
  "duplicate_credential",
  "no_matching_credential",
  "required_claim_missing",
  "credential_unusable",
  "recovery_word_mismatch",
  "invalid_recovery_words",
  "wrong_recovery_secret",
  "backup_mismatch",
  "backup_corrupted",
  "no_request",
  "unsupported_request",
  "send_failed",
  "ledger",
  "too_soon",
  "deactivated",
  // Receiving from an issuer (OpenID4VCI): the issuer's OAuth codes and the wallet's.
  "invalid_grant",
  "tx_code_required",
  "invalid_tx_code",
  "issuer_not_accredited",
  "wrong_credential_type",
  "issuer_unreachable",
  "invalid_request",
  "unknown_credential_configuration",
  "unknown_credential_type",
  "unsupported_credential_format",
  "unsupported_binding",
  "unsupported_proof_type",
  "invalid_proof",
  "invalid_nonce",
  "invalid_token",
  "credential_request_denied",
  "invalid_credential_request",
  "issuer_error",
  "server_error",
  "no_offer",
  "no_offer_in_image",
  "no_trusted_roots",
] as const;

/** Codes whose sentence keeps the specific reason Rust gave (in brackets). */
const WITH_REASON = [
  "credential_refused",
  "credential_unusable",
  "unsupported_request",
  "send_failed",
  "ledger",
  "busy",
  "issuer_unreachable",
  "invalid_request",
  "invalid_credential_request",
  "issuer_error",
];

/** What to show for an error, in `locale`. */
export function describeError(e: unknown, locale: Locale): ErrorDisplay {
  const err = toAppError(e);
  let text: string;
  if ((KNOWN as readonly string[]).includes(err.code)) {
    text = t(locale, `error.${err.code}`, retryParams(err.message));
    // Keep the specific reason the wallet gave (e.g. why a credential was refused).
    if (WITH_REASON.includes(err.code)) {
      text = `${text} (${err.message})`;
    }
  } else if (err.code.startsWith("openid4vp.")) {
    text = `${t(locale, "error.openid4vp")} (${err.message})`;
  } else if (err.code.startsWith("qr.")) {
    text = `${t(locale, "error.qr")} (${err.message})`;
  } else {
    text = err.message || t(locale, "error.internal");
  }
  return { text, code: err.code, needsUnlock: err.code === "locked" };
}

/** The wait in "wait 30 s" / "try again in 30 s", for the translated sentence. */
function retryParams(message: string): Record<string, string> {
  const m = /(?:wait|in) (\d+) s/.exec(message);
  const failures = /\((\d+) failed attempt/.exec(message);
  return { seconds: m ? m[1] : "", failures: failures ? failures[1] : "" };
}
