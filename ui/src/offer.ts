// Receiving from an issuer (OpenID4VCI), apart from the DOM: the names to show in the
// citizen's language, the PIN check (digits, the length the offer gives), the
// accreditation line of what was stored, and the result sentence. Rust holds the
// offer itself (its pre-authorized code never reaches the web view).
import type { Accepted, Accreditation, OfferPreview } from "./api";
import { type Locale, t } from "./i18n";

/** The issuer's name in `locale` (the other language's, else its URL). */
export function issuerName(p: OfferPreview, locale: Locale): string {
  const first = locale === "zh-TW" ? p.issuer_name_zh : p.issuer_name;
  const second = locale === "zh-TW" ? p.issuer_name : p.issuer_name_zh;
  return first ?? second ?? p.credential_issuer;
}

/** The credential type's name in `locale`. */
export function offerTypeName(p: OfferPreview, locale: Locale): string {
  return (locale === "zh-TW" ? p.type_name_zh : p.type_name) || p.vct;
}

/** Whether `text` looks like a credential offer link (else it is a credential). */
export function isOfferLink(text: string): boolean {
  const s = text.trim().toLowerCase();
  return (
    s.startsWith("openid-credential-offer:") ||
    (/^https?:\/\//.test(s) && (s.includes("credential_offer=") || s.includes("credential_offer_uri=")))
  );
}

/** What is wrong with the PIN typed, as an i18n key, or null when it can be sent. */
export function pinProblem(p: OfferPreview, pin: string): string | null {
  if (!p.pin_required) return null;
  const v = pin.trim();
  if (v === "") return "offer.pin_empty";
  if (p.pin_numeric && !/^[0-9]+$/.test(v)) return "offer.pin_digits";
  if (p.pin_length !== null && v.length !== p.pin_length) return "offer.pin_length";
  return null;
}

/** The PIN field's label: with the number of digits when the offer says. */
export function pinLabel(p: OfferPreview, locale: Locale): string {
  if (p.pin_length === null) return t(locale, "offer.pin");
  return t(locale, p.pin_numeric ? "offer.pin_n_digits" : "offer.pin_n_chars", { n: p.pin_length });
}

/** Who accredited the issuer, as one sentence. */
export function accreditationLine(a: Accreditation, locale: Locale): string {
  switch (a.status) {
    case "accredited":
      return t(locale, "offer.accredited", {
        names: a.names.length ? a.names.join(", ") : t(locale, "offer.unnamed"),
        root: a.root,
      });
    case "self-declared":
      return t(locale, "offer.self_declared");
    case "not-accredited":
      return t(locale, "offer.not_accredited");
    case "unchecked":
      return t(locale, "offer.unchecked", { reason: a.reason });
  }
}

/** The result sentence: stored, or the issuer will deliver it later (named as the
 * offer screen named them). */
export function resultLine(r: Accepted, p: OfferPreview, locale: Locale): string {
  const params = { name: offerTypeName(p, locale), issuer: issuerName(p, locale) };
  return t(locale, r.outcome === "issued" ? "offer.stored" : "offer.pending", params);
}
