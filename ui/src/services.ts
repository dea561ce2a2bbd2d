// The history of services: each service-record credential as one row of a table (a
// visit: date, agency, service, outcome, reference), newest first. The values come
// from the credentials the citizen holds (their own data), not from the history log,
// which never keeps values.
import type { ClaimView, CredentialDetails } from "./api";
import { type Locale, formatDate, t } from "./i18n";

/** The service-record type (civitas-credential's SERVICE_RECORD). */
export const SERVICE_RECORD_VCT = "https://civitas.example/credentials/service-record/v1";

/** Whether a credential is a service record. */
export function isServiceRecord(c: { vct: string }): boolean {
  return c.vct === SERVICE_RECORD_VCT || c.vct.includes("/service-record/");
}

/** One visit, ready to show. */
export interface ServiceRow {
  /** The credential's id in the wallet. */
  id: string;
  /** When it was requested (Unix seconds; for the order), null if unreadable. */
  when: number | null;
  /** The date, in the citizen's language. */
  date: string;
  agency: string;
  service: string;
  /** The outcome, and when the service was completed if it says. */
  outcome: string;
  reference: string;
}

function claim(d: CredentialDetails, path: string): unknown {
  return d.claims.find((c: ClaimView) => c.path === path)?.value;
}

function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

/** An RFC 3339 date-time as Unix seconds (null when it is not one). */
export function seconds(v: unknown): number | null {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** The rows of the service records among `details`, newest first (a record without a
 * readable date goes last; equal dates by reference). */
export function serviceRows(details: CredentialDetails[], locale: Locale): ServiceRow[] {
  const rows = details.filter(isServiceRecord).map((d): ServiceRow => {
    const when = seconds(claim(d, "requested_at")) ?? d.issued_at ?? null;
    const completed = seconds(claim(d, "completed_at"));
    const outcome = text(claim(d, "outcome"));
    const done = completed !== null ? t(locale, "services.completed", { date: formatDate(locale, completed) }) : "";
    return {
      id: d.id,
      when,
      date: formatDate(locale, when),
      agency: text(claim(d, "agency")),
      service: text(claim(d, "service")),
      // "completed · completed 5 December" says it twice: once is enough.
      outcome: (done && outcome.trim().toLowerCase() === "completed" ? [done] : [outcome, done]).filter((x) => x !== "").join(" · ") || "—",
      reference: text(claim(d, "reference")),
    };
  });
  return rows.sort((a, b) => (b.when ?? -Infinity) - (a.when ?? -Infinity) || a.reference.localeCompare(b.reference));
}
