// History: who received what and when (claim names, never values), newest first, and
// a check of the history's hash chain.
import { html, nothing, type TemplateResult } from "lit";
import { describeEvent } from "../history";
import { formatDate } from "../i18n";
import { ScreenElement } from "./screen";

export class HistoryScreen extends ScreenElement {
  render(): TemplateResult {
    const items = this.state.history;
    return html`<section id="screen-history">
      <h1 tabindex="-1">${this.tr("history.title")}</h1>
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
}

customElements.define("civitas-history", HistoryScreen);
