// My credentials: the list; a click opens one's details below it. Above it, the
// credentials on their way (deferred by their issuer), with "check now".
import { html, nothing, type TemplateResult } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { typeName } from "../consent";
import { shortId } from "../history";
import { formatDate } from "../i18n";
import { outcomeLine, pendingLine } from "../pending";
import "./credential-detail";
import { ScreenElement } from "./screen";

export class CredentialsScreen extends ScreenElement {
  render(): TemplateResult {
    const d = this.state.detail;
    const credentials = this.state.credentials;
    return html`<section id="screen-credentials">
      <h1 tabindex="-1">${this.tr("creds.title")}</h1>
      ${this.renderPending()}
      ${credentials.length === 0 ? html`<p>${this.tr("creds.none")}</p>` : nothing}
      <ul class="cards" id="credential-list">
        ${credentials.map(
          (c) => html`<li>
            <button class="card credential-item ${d?.id === c.id ? "current" : ""}" data-id=${c.id} @click=${() => this.store.openDetail(c.id)}
              aria-label="${typeName(c, this.locale)}, ${this.tr("creds.issuer")} ${c.issuer}">
              <span class="card-title">${typeName(c, this.locale)}</span>
              <span class="${c.valid_now ? "good" : "bad"}">${c.valid_now ? this.tr("creds.valid") : this.tr("creds.not_valid")}</span>
              <span class="small">${this.tr("creds.issuer")}: ${shortId(c.issuer)}</span>
              <span class="small">${this.tr("creds.expires")}: ${formatDate(this.locale, c.expires)}</span>
            </button>
          </li>`,
        )}
      </ul>
      ${d ? keyed(d, html`<civitas-credential-detail .details=${d}></civitas-credential-detail>`) : nothing}
    </section>`;
  }

  private renderPending(): TemplateResult | typeof nothing {
    const pending = this.state.pending;
    const checked = this.state.checked ?? [];
    if (pending.length === 0 && checked.length === 0) return nothing;
    return html`<section id="pending" class="panel" aria-labelledby="pending-title">
      <h2 id="pending-title">${this.tr("pending.title")}</h2>
      ${pending.length ? html`<p>${this.tr("pending.body")}</p>` : nothing}
      <ul id="pending-list" class="pending">
        ${pending.map((p) => html`<li class="pending-item" data-id=${p.id}>${pendingLine(p, this.locale)}</li>`)}
      </ul>
      ${checked.length
        ? html`<ul id="pending-outcomes" class="pending-outcomes">
            ${checked.map((o) => html`<li class="outcome-${o.outcome}">${outcomeLine(o, this.locale)}</li>`)}
          </ul>`
        : nothing}
      ${pending.length
        ? html`<div class="actions">
            <button id="pending-check" class="primary" ?disabled=${this.state.busy} @click=${() => this.store.checkPending()}>${this.tr("pending.check")}</button>
          </div>`
        : nothing}
    </section>`;
  }
}

customElements.define("civitas-credentials", CredentialsScreen);
