// The settings screen's form, apart from the DOM: the fields as the citizen edits them,
// read from the saved settings and turned back into settings to save.
import type { Settings } from "./api";

/** The settings form's fields. */
export interface SettingsForm {
  ledgerKind: "embedded" | "node";
  /** The embedded ledger's file (empty: the default one). */
  ledgerPath: string;
  /** The ledger node's URL. */
  ledgerUrl: string;
  locale: string;
  theme: string;
  textSize: number;
}

/** The form showing `s`. */
export function formOf(s: Settings): SettingsForm {
  return {
    ledgerKind: s.ledger.kind,
    ledgerPath: s.ledger.kind === "embedded" ? (s.ledger.path ?? "") : "",
    ledgerUrl: s.ledger.kind === "node" ? s.ledger.url : "",
    locale: s.locale,
    theme: s.theme,
    textSize: s.text_size,
  };
}

/** The settings the form says (paths and URLs trimmed; an empty path is the default),
 * with the trusted roots as saved (they have buttons of their own). */
export function settingsOf(f: SettingsForm, trustedRoots: string[] = []): Settings {
  const path = f.ledgerPath.trim();
  return {
    ledger:
      f.ledgerKind === "node"
        ? { kind: "node", url: f.ledgerUrl.trim() }
        : path
          ? { kind: "embedded", path }
          : { kind: "embedded" },
    locale: f.locale,
    theme: f.theme,
    text_size: f.textSize,
    trusted_roots: trustedRoots,
  };
}
