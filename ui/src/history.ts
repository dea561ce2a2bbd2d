// History entries and integrity problems as sentences. Entries carry claim names and
// type names only (the values were never recorded).
import type { HistoryView, Problem } from "./api";
import { type Locale, t } from "./i18n";

const idx = (locale: Locale) => (locale === "zh-TW" ? 1 : 0);

/** A DID or client id short enough to read: the counter's host, a did:webvh's place
 * on the ledger, the start of a did:jwk. */
export function shortId(id: string): string {
  const redirect = /^redirect_uri:https?:\/\/([^/?#]+)/.exec(id);
  if (redirect) return redirect[1];
  const bare = id.replace(/^decentralized_identifier:/, "");
  const webvh = /^did:webvh:[^:]+:(.+)$/.exec(bare);
  if (webvh) return webvh[1].replace(/:/g, "/");
  if (bare.startsWith("did:jwk:") && bare.length > 24) return `${bare.slice(0, 20)}…`;
  return bare;
}

export function describeEvent(h: HistoryView, locale: Locale): string {
  const vct = "vct" in h ? h.vct : "";
  const type = h.type_names ? h.type_names[idx(locale)] : vct;
  const key = `ev.${h.event}`;
  switch (h.event) {
    case "received":
      return t(locale, key, { type, issuer: shortId(h.issuer) });
    case "issued":
      return t(locale, key, { type, issuer: shortId(h.issuer), from: h.credential_issuer });
    case "presented": {
      const claims = h.claim_labels.length ? h.claim_labels.map((l) => l[idx(locale)]).join(", ") : t(locale, "ev.nothing");
      return t(locale, key, { type, claims, aud: shortId(h.aud) });
    }
    case "deleted":
      return t(locale, key, { type });
    case "pending":
      return t(locale, key, { type, from: h.credential_issuer });
    case "issued-deferred":
      return t(locale, key, { type, issuer: shortId(h.issuer), from: h.credential_issuer });
    case "pending-ended":
      return t(locale, key, { type, from: h.credential_issuer, code: h.code });
    case "notification-failed":
      return t(locale, key, { from: h.credential_issuer, notification: h.notification, code: h.code });
    case "receipt-refused":
      return t(locale, key, { entry: h.entry, code: h.code });
    default:
      return t(locale, key);
  }
}

export function describeProblem(p: Problem, locale: Locale): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) if (typeof v === "number" || typeof v === "string") params[k] = v;
  return t(locale, `problem.${p.problem}`, params);
}
