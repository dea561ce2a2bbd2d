// History entries and integrity problems as sentences. Entries carry claim names and
// type names only (the values were never recorded).
import type { HistoryItem, Problem } from "./api";
import { type Locale, t } from "./i18n";

export interface HistoryView extends HistoryItem {
  type_names: [string, string] | null;
  claim_labels: [string, string][];
}

const idx = (locale: Locale) => (locale === "zh-TW" ? 1 : 0);

export function describeEvent(h: HistoryView, locale: Locale): string {
  const type = h.type_names ? h.type_names[idx(locale)] : String(h.vct ?? "");
  const key = `ev.${h.event}`;
  switch (h.event) {
    case "received":
      return t(locale, key, { type, issuer: String(h.issuer ?? "") });
    case "presented": {
      const claims = h.claim_labels.length ? h.claim_labels.map((l) => l[idx(locale)]).join(", ") : t(locale, "ev.nothing");
      return t(locale, key, { type, claims, aud: String(h.aud ?? "") });
    }
    case "deleted":
      return t(locale, key, { type });
    default:
      return t(locale, key);
  }
}

export function describeProblem(p: Problem, locale: Locale): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) if (typeof v === "number" || typeof v === "string") params[k] = v;
  return t(locale, `problem.${p.problem}`, params);
}
