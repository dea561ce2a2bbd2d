// Home: the personal ID card, the DID and what the ledger knows of it; how many
// credentials are on their way (the app asked their issuers when this screen opened).
import { html, nothing, type TemplateResult } from "lit";
import type { CredentialDetails, Status } from "../api";
import { claimLabel, formatValue, typeName } from "../consent";
import { formatDate } from "../i18n";
import { ScreenElement } from "./screen";

/** The PID claims the card shows, in this order of the credential. */
const CARD_CLAIMS = ["given_name", "family_name", "birthdate", "nationality", "personal_number", "address.locality"];

export class HomeScreen extends ScreenElement {
  render(): TemplateResult {
    const s = this.state.status;
    return html`<section id="screen-home">
      <h1 tabindex="-1">${this.tr("home.title")}</h1>
      ${this.renderCard(this.state.pid)}
      <section class="panel" aria-labelledby="did-title">
        <h2 id="did-title">${this.tr("home.did")}</h2>
        <p id="did" class="mono">${s?.did ?? "…"}</p>
        <p id="ledger-status">${s === null ? nothing : this.renderLedgerStatus(s)}</p>
        ${s ? html`<p>${this.tr("home.counts", { c: s.credentials, h: s.history_entries })}</p>` : nothing}
      </section>
      ${this.state.pending.length
        ? html`<p id="home-pending" class="panel">${this.tr("home.pending", { n: this.state.pending.length })}
            <button id="home-pending-open" class="secondary" @click=${() => this.store.nav("credentials")}>${this.tr("home.pending_open")}</button></p>`
        : nothing}
      <div class="actions">
        <button id="home-present" class="primary big" @click=${() => this.store.nav("present")}>${this.tr("home.show")}</button>
        <button id="home-receive" class="secondary big" @click=${() => this.store.nav("receive")}>${this.tr("home.receive")}</button>
      </div>
    </section>`;
  }

  private renderCard(pid: CredentialDetails | null): TemplateResult {
    const claim = (path: string) => pid?.claims.find((c) => c.path === path);
    const name = [claim("given_name")?.value, claim("family_name")?.value].filter(Boolean).join(" ");
    return html`<article id="id-card" class="idcard" aria-labelledby="id-card-title">
      <h2 id="id-card-title">${pid ? typeName(pid, this.locale) : this.tr("home.card")}</h2>
      ${pid
        ? html`<div class="idcard-body">
            <div class="avatar" aria-hidden="true">${name.split(" ").map((w) => w[0]).join("")}</div>
            <dl>
              ${pid.claims
                .filter((c) => CARD_CLAIMS.includes(c.path))
                .map((c) => html`<div><dt>${claimLabel(c, this.locale)}</dt><dd>${formatValue(c.value, this.locale)}</dd></div>`)}
              <div><dt>${this.tr("creds.expires")}</dt><dd>${formatDate(this.locale, pid.expires)}</dd></div>
            </dl>
          </div>`
        : html`<p>${this.tr("home.no_pid")}</p>`}
    </article>`;
  }

  private renderLedgerStatus(s: Status): TemplateResult {
    if (s.deactivated) return html`<span class="bad">${this.tr("home.deactivated")}</span>`;
    if (!s.did_version) return html`<span class="bad">${this.tr("home.ledger_error", { e: s.ledger_error ?? "?" })}</span>`;
    return html`<span class="good">✓ ${this.tr("home.ledger_ok", { v: s.did_version.split("-")[0] })}</span>
      ${s.device_authorized === false ? html`<br /><span class="bad">${this.tr("home.ledger_device_no")}</span>` : html`<br />${this.tr("home.ledger_device_ok")}`}`;
  }
}

customElements.define("civitas-home", HomeScreen);
