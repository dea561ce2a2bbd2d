// The consent screen's logic, apart from the DOM: which claims will be shared, which
// the citizen may leave out, and what to send back to Rust (the paths dropped).
// Required claims can never be dropped; nothing outside the request is ever listed.
import type { ConsentClaim, ConsentView } from "./api";
import { type Locale, t } from "./i18n";

export interface ConsentRow {
  path: string;
  label: string;
  value: string;
  required: boolean;
  shared: boolean;
}

export interface ConsentState {
  rows: ConsentRow[];
  canPresent: boolean;
}

export function claimLabel(c: { path: string; label: string | null; label_zh: string | null }, locale: Locale): string {
  if (locale === "zh-TW" && c.label_zh) return c.label_zh;
  return c.label ?? c.path;
}

/** A claim value as one line of text. */
export function formatValue(v: unknown, locale: Locale): string {
  if (v === true) return t(locale, "common.yes");
  if (v === false) return t(locale, "common.no");
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.map((x) => formatValue(x, locale)).join(", ");
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${formatValue(x, locale)}`)
      .join("; ");
  }
  return String(v);
}

function row(c: ConsentClaim, required: boolean, locale: Locale): ConsentRow {
  return { path: c.path, label: claimLabel(c, locale), value: formatValue(c.value, locale), required, shared: true };
}

/** The initial state: every requested claim the credential has is shared. */
export function initialConsent(view: ConsentView, locale: Locale): ConsentState {
  return {
    rows: [...view.required.map((c) => row(c, true, locale)), ...view.optional.map((c) => row(c, false, locale))],
    canPresent: view.missing_required.length === 0,
  };
}

/** Flips an optional claim; required claims do not move. */
export function toggle(state: ConsentState, path: string): ConsentState {
  return {
    ...state,
    rows: state.rows.map((r) => (r.path === path && !r.required ? { ...r, shared: !r.shared } : r)),
  };
}

/** The optional claims left out: what `present` takes. */
export function dropped(state: ConsentState): string[] {
  return state.rows.filter((r) => !r.required && !r.shared).map((r) => r.path);
}

/** Exactly what will be disclosed. */
export function willDisclose(state: ConsentState): ConsentRow[] {
  return state.rows.filter((r) => r.required || r.shared);
}

/** The type's display name in `locale`. */
export function typeName(v: { vct: string; type_name: string | null; type_name_zh: string | null }, locale: Locale): string {
  if (locale === "zh-TW" && v.type_name_zh) return v.type_name_zh;
  return v.type_name ?? v.vct;
}

/** The labels of the claims a proof disclosed (`Proof.disclosed`, as Rust made it),
 * from the request's view; a path the view does not name shows as is. */
export function disclosedLabels(view: ConsentView | null, disclosed: string[], locale: Locale): string[] {
  const claims = view ? [...view.required, ...view.optional] : [];
  return disclosed.map((path) => {
    const c = claims.find((x) => x.path === path);
    return c ? claimLabel(c, locale) : path;
  });
}
