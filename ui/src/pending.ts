// Credentials the wallet waits for (deferred issuance), apart from the DOM: the type's
// name in the citizen's language, the line each pending item shows, and what a check
// ("check now", or the one the app makes when it opens or unlocks) gave, in plain
// words. Rust keeps the pending records (their access tokens never reach the web view).
import type { FetchOutcome, PendingIssuance } from "./api";
import { type Locale, formatDate, t } from "./i18n";

/** The known types' names by a part of their vct (the pending record names the type in
 * English only). */
const TYPE_NAMES: [string, string, string][] = [
  ["/pid/", "Personal ID", "個人身分證明"],
  ["/medical-summary/", "Medical summary", "醫療摘要"],
  ["/service-record/", "Service record", "服務紀錄"],
];

/** The name of the type a pending issuance waits for, in `locale`. */
export function pendingTypeName(p: PendingIssuance, locale: Locale): string {
  const known = TYPE_NAMES.find(([part]) => p.vct.includes(part));
  if (known) return locale === "zh-TW" ? known[2] : known[1];
  return p.type_name || p.vct;
}

/** The issuer as the citizen reads it: its web address without the scheme. */
export function issuerHost(url: string): string {
  return url.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

/** "Medical summary from hospital.example — waiting for the issuer's approval since …". */
export function pendingLine(p: PendingIssuance, locale: Locale): string {
  return t(locale, "pending.line", {
    name: pendingTypeName(p, locale),
    issuer: issuerHost(p.credential_issuer),
    since: formatDate(locale, p.created, true),
  });
}

/** Whether an outcome is bad news the citizen must read (an alert, not a status). */
export function isBadNews(o: FetchOutcome): boolean {
  return o.outcome === "ended" || o.outcome === "failed";
}

/** One check's result for one pending credential, as one sentence. */
export function outcomeLine(o: FetchOutcome, locale: Locale): string {
  const params = { name: pendingTypeName(o.pending, locale), issuer: issuerHost(o.pending.credential_issuer) };
  switch (o.outcome) {
    case "received":
      return t(locale, "pending.received", params);
    case "still-pending":
      return t(locale, "pending.still", params);
    case "ended":
      switch (o.code) {
        case "credential_request_denied":
          return t(locale, "pending.denied", params);
        case "pending_expired":
        case "invalid_transaction_id":
        case "invalid_token":
          return t(locale, "pending.expired", params);
        default:
          return t(locale, "pending.ended", { ...params, code: o.code });
      }
    case "failed":
      return t(locale, "pending.failed", params);
  }
}

/** What a whole check gave: the good news (status line) and the bad (alert), each
 * null when there is none. Nothing due: "nothing new". */
export function checkSummary(outcomes: FetchOutcome[], locale: Locale): { notice: string | null; alert: string | null } {
  const good = outcomes.filter((o) => !isBadNews(o)).map((o) => outcomeLine(o, locale));
  const bad = outcomes.filter(isBadNews).map((o) => outcomeLine(o, locale));
  return {
    notice: good.length ? good.join(" ") : bad.length ? null : t(locale, "pending.nothing_new"),
    alert: bad.length ? bad.join(" ") : null,
  };
}
