// One credential's details (on the credentials screen): dates, status, binding, and
// every claim with whether it can be left out.
import { html, type TemplateResult } from "lit";
import type { CredentialDetails } from "../api";
import { claimLabel, formatValue, typeName } from "../consent";
import { formatDate } from "../i18n";
import { ScreenElement } from "./screen";

export class CredentialDetail extends ScreenElement {
  static properties = {
    details: { attribute: false },
  };

  declare details: CredentialDetails;

  protected readonly boxClass = "screen-part";

  private deleteCredential(): void {
    if (!window.confirm(this.tr("creds.delete_confirm"))) return;
    void this.store.deleteCredential(this.details.id);
  }

  render(): TemplateResult {
    const d = this.details;
    const st = d.status;
    const statusText =
      st.status === "other" || st.status === "unavailable"
        ? this.tr(`status.${st.status}`, { d: String(st.detail) })
        : this.tr(`status.${st.status}`);
    return html`<article id="credential-detail" class="panel">
      <h2 tabindex="-1">${typeName(d, this.locale)}</h2>
      <dl class="facts">
        <div><dt>${this.tr("creds.issuer")}</dt><dd class="mono">${d.issuer}</dd></div>
        <div><dt>${this.tr("creds.issued")}</dt><dd>${formatDate(this.locale, d.issued_at)}</dd></div>
        <div><dt>${this.tr("creds.expires")}</dt><dd>${formatDate(this.locale, d.expires)}</dd></div>
        <div><dt>${this.tr("creds.valid")}</dt><dd class=${d.valid_now ? "good" : "bad"}>${d.valid_now ? this.tr("common.yes") : `${this.tr("common.no")} ${d.validity ?? ""}`}</dd></div>
        <div><dt>${this.tr("creds.status")}</dt><dd id="credential-status" class=${st.status === "revoked" || st.status === "suspended" ? "bad" : ""}>${statusText}</dd></div>
        <div><dt>${this.tr("creds.binding")}</dt><dd>${this.tr(`binding.${d.binding.type}`)}</dd></div>
      </dl>
      <table class="claims">
        <caption>${this.tr("creds.claims")}</caption>
        <thead><tr><th scope="col">${this.tr("creds.claim")}</th><th scope="col">${this.tr("creds.value")}</th><th scope="col">${this.tr("creds.disclosure")}</th></tr></thead>
        <tbody>
          ${d.claims.map(
            (c) => html`<tr>
              <th scope="row">${claimLabel(c, this.locale)}</th>
              <td>${formatValue(c.value, this.locale)}</td>
              <td>${c.selectively_disclosable ? this.tr("creds.sd") : html`<strong>${this.tr("creds.always")}</strong>`}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="actions">
        <button class="danger" id="credential-delete" @click=${() => this.deleteCredential()}>${this.tr("creds.delete")}</button>
      </div>
    </article>`;
  }
}

customElements.define("civitas-credential-detail", CredentialDetail);
