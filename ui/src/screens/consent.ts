// Show at a counter, step 2: exactly what the counter asks and from which credential;
// the citizen may leave optional claims out, then approves or declines. The choices
// stay here until `present` sends them (consent.ts in src/ holds the logic).
import { html, nothing, type TemplateResult } from "lit";
import { type ConsentState, initialConsent, dropped, toggle, typeName, willDisclose } from "../consent";
import { ScreenElement } from "./screen";

export class ConsentScreen extends ScreenElement {
  static properties = {
    choices: { state: true },
  };

  /** Which claims will be shared (the request's view as the store holds it). */
  declare choices: ConsentState | null;

  constructor() {
    super();
    const view = this.state.request;
    this.choices = view ? initialConsent(view, this.locale) : null;
  }

  render(): TemplateResult | typeof nothing {
    const v = this.state.request;
    const c = this.choices;
    if (!v || !c) return nothing;
    const required = c.rows.filter((r) => r.required);
    const optional = c.rows.filter((r) => !r.required);
    return html`<section id="consent" class="panel">
      <h1 class="visually-hidden">${this.tr("present.title")}</h1>
      <h2 tabindex="-1">${this.tr("consent.title")}</h2>
      <dl class="facts">
        <div><dt>${this.tr("consent.counter")}</dt><dd id="consent-counter" class="mono">${v.counter}</dd></div>
        <div><dt>${this.tr("consent.from")}</dt><dd>${typeName(v, this.locale)}</dd></div>
      </dl>
      ${v.warnings.map((w) => html`<p class="alert" role="alert">${w}</p>`)}
      ${v.missing_required.length
        ? html`<p class="alert" role="alert">${this.tr("consent.missing", { m: v.missing_required.join(", ") })}</p>`
        : nothing}
      <h3>${this.tr("consent.required")}</h3>
      <ul id="consent-required" class="claims-list">
        ${required.map((r) => html`<li data-path=${r.path}><span class="label">${r.label}</span> <span class="value">${r.value}</span></li>`)}
      </ul>
      ${optional.length
        ? html`<fieldset>
            <legend>${this.tr("consent.optional")}</legend>
            ${optional.map(
              (r) => html`<div class="check">
                <input type="checkbox" class="optional-claim" id="opt-${r.path}" data-path=${r.path} .checked=${r.shared}
                  @change=${() => { this.choices = toggle(c, r.path); }} />
                <label for="opt-${r.path}">${this.tr("consent.share", { label: r.label })}: <span class="value">${r.value}</span></label>
              </div>`,
            )}
          </fieldset>`
        : nothing}
      <p class="small">${this.tr("consent.always")}</p>
      <p><strong>${this.tr("consent.nothing_else")}</strong></p>
      <p id="consent-summary" class="visually-hidden">${willDisclose(c).map((r) => r.path).join(",")}</p>
      <div class="actions">
        <button id="consent-decline" class="secondary" @click=${() => this.store.nav("present")}>${this.tr("consent.decline")}</button>
        <button id="consent-approve" class="primary big" ?disabled=${!c.canPresent || this.state.busy} @click=${() => this.store.present(dropped(c))}>${this.tr("consent.approve")}</button>
      </div>
    </section>`;
  }
}

customElements.define("civitas-consent", ConsentScreen);
