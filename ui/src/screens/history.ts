// History: the services the citizen asked for (a table of their service records,
// newest first); who received what and when (claim names, never values), newest
// first; and a check of the history's hash chain.
import { html, nothing, type TemplateResult } from "lit";
import { describeEvent } from "../history";
import { formatDate } from "../i18n";
import { serviceRows } from "../services";
import { ScreenElement } from "./screen";

export class HistoryScreen extends ScreenElement {
  render(): TemplateResult {
    const items = this.state.history;
    return html`<section id="screen-history">
      <h1 tabindex="-1">${this.tr("history.title")}</h1>
      ${this.renderServices()}
      <h2>${this.tr("history.log")}</h2>
      <p>${this.tr("history.body")}</p>
      <div class="actions">
        <button id="history-check" class="secondary" ?disabled=${this.state.busy} @click=${() => this.store.checkHistory()}>${this.tr("history.check")}</button>
      </div>
      ${items.length === 0 ? html`<p>${this.tr("history.none")}</p>` : nothing}
      <ol id="history-list" class="history" reversed>
        ${[...items].reverse().map(
          (h) => html`<li class="history-item ev-${h.event}" data-seq=${h.seq}>
            <time datetime=${new Date(h.time * 1000).toISOString()}>${formatDate(this.locale, h.time, true)}</time>
            <span class="what">${describeEvent(h, this.locale)}</span>
            ${h.receipt ? html`<span class="badge">${this.tr("history.receipt")}</span>` : nothing}
          </li>`,
        )}
      </ol>
    </section>`;
  }

  private renderServices(): TemplateResult {
    const rows = serviceRows(this.state.services, this.locale);
    return html`<section id="services" class="panel" aria-labelledby="services-title">
      <h2 id="services-title">${this.tr("services.title")}</h2>
      <p>${this.tr("services.body")}</p>
      ${rows.length === 0
        ? html`<p id="services-none">${this.tr("services.none")}</p>`
        : html`<table id="services-table" class="services">
            <caption class="visually-hidden">${this.tr("services.title")}</caption>
            <thead><tr>
              <th scope="col">${this.tr("services.date")}</th>
              <th scope="col">${this.tr("services.agency")}</th>
              <th scope="col">${this.tr("services.service")}</th>
              <th scope="col">${this.tr("services.outcome")}</th>
              <th scope="col">${this.tr("services.reference")}</th>
            </tr></thead>
            <tbody>
              ${rows.map(
                (r) => html`<tr class="service-row" data-id=${r.id}>
                  <td class="nowrap">${r.date}</td><td>${r.agency}</td><th scope="row">${r.service}</th><td>${r.outcome}</td><td class="mono nowrap">${r.reference}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }
}

customElements.define("civitas-history", HistoryScreen);
