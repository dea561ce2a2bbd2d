// The trusted root authorities (Settings → "Issuers trusted by"), apart from the DOM:
// what is wrong with a DID the citizen adds. The same rules as civitas-did's
// `validate_did` (Rust checks again when the settings are saved).

/** At most this many (src-tauri/src/settings.rs MAX_ROOTS). */
export const MAX_ROOTS = 32;

/** Whether `s` is a DID: `did:` method (lower-case letters, digits) `:` identifier. */
export function isDid(s: string): boolean {
  return s.length <= 4096 && /^did:[a-z0-9]+:[A-Za-z0-9.\-_:%]*[A-Za-z0-9.\-_%]$/.test(s);
}

/** What is wrong with adding `candidate` to `roots`, as an i18n key, or null. */
export function rootProblem(candidate: string, roots: readonly string[]): string | null {
  const v = candidate.trim();
  if (v === "") return "roots.empty";
  if (!isDid(v)) return "roots.not_did";
  if (roots.includes(v)) return "roots.duplicate";
  if (roots.length >= MAX_ROOTS) return "roots.too_many";
  return null;
}
