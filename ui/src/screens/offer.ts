// Receive from an issuer, step 2: who offers what (the issuer's name in the citizen's
// language, its web address, the credential type), that the credential is checked
// against the city's ledger before it is kept, and one large PIN field (the length the
// offer gives; nothing is sent before the citizen presses the button). Step 3: the
// result (kept, with who accredited the issuer; or pending). A refusal shows in the
// frame's alert region (role="alert") and the citizen stays here to try again.
import { html, nothing, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { accreditationLine, issuerName, offerTypeName, pinLabel, pinProblem, resultLine } from "../offer";
import { ScreenElement, onSubmit, valueOf } from "./screen";

export class OfferScreen extends ScreenElement {
  static properties = {
    pin: { state: true },
  };

  /** The PIN typed (emptied after each try). */
  declare pin: string;

  constructor() {
    super();
    this.pin = "";
  }

  private async accept(): Promise<void> {
    const offer = this.state.offer;
    if (!offer) return;
    const problem = pinProblem(offer, this.pin);
    if (problem) {
      this.store.showAlert(problem, { n: offer.pin_length ?? 0 });
      return;
    }
    try {
      await this.store.acceptOffer(this.pin);
    } finally {
      this.pin = "";
    }
  }

  render(): TemplateResult | typeof nothing {
    const p = this.state.offer;
    if (!p) return nothing;
    const busy = this.state.busy;
    return html`<section id="offer" class="panel">
      <h1 class="visually-hidden">${this.tr("receive.title")}</h1>
      <h2 tabindex="-1">${this.tr("offer.title")}</h2>
      <dl class="facts">
        <div><dt>${this.tr("offer.who")}</dt><dd id="offer-issuer">${issuerName(p, this.locale)}</dd></div>
        <div><dt>${this.tr("offer.url")}</dt><dd id="offer-url" class="mono">${p.credential_issuer}</dd></div>
        <div><dt>${this.tr("offer.what")}</dt><dd id="offer-type">${offerTypeName(p, this.locale)}</dd></div>
      </dl>
      <p>${this.tr("offer.checked")}</p>
      <p class="small">${this.tr("offer.nothing_sent")}</p>
      <form @submit=${onSubmit(() => this.accept())}>
        ${p.pin_required
          ? html`<div class="field">
              <label for="offer-pin">${pinLabel(p, this.locale)}</label>
              <input id="offer-pin" class="pin" type="text" autocomplete="one-time-code" spellcheck="false"
                inputmode=${p.pin_numeric ? "numeric" : "text"}
                maxlength=${p.pin_length ?? 32}
                aria-describedby=${p.pin_description ? "offer-pin-hint" : nothing}
                .value=${live(this.pin)} @input=${(e: Event) => { this.pin = valueOf(e); }} />
              ${p.pin_description
                ? html`<p id="offer-pin-hint" class="small">${this.tr("offer.pin_hint", { hint: p.pin_description })}</p>`
                : nothing}
            </div>`
          : nothing}
        <div class="actions">
          <button id="offer-cancel" class="secondary" type="button" @click=${() => this.store.closeOffer()}>${this.tr("offer.cancel")}</button>
          <button id="offer-accept" class="primary big" type="submit" ?disabled=${busy}>${this.tr("offer.accept")}</button>
        </div>
      </form>
    </section>`;
  }
}

export class OfferResultScreen extends ScreenElement {
  render(): TemplateResult | typeof nothing {
    const p = this.state.offer;
    const r = this.state.offerResult;
    if (!p || !r) return nothing;
    const issued = r.outcome === "issued";
    return html`<section id="offer-result" class="panel">
      <h1 class="visually-hidden">${this.tr("receive.title")}</h1>
      <h2 tabindex="-1">${this.tr(issued ? "offer.result_title" : "offer.pending_title")}</h2>
      <p id="offer-result-text">${resultLine(r, p, this.locale)}</p>
      ${r.outcome === "issued"
        ? html`<p id="offer-accreditation">${accreditationLine(r.received.accreditation, this.locale)}</p>`
        : nothing}
      <div class="actions">
        <button id="offer-done" class="secondary" @click=${() => this.store.closeOffer()}>${this.tr("offer.done")}</button>
        <button id="offer-see-credentials" class="primary" @click=${() => this.store.nav("credentials")}>${this.tr("offer.see_credentials")}</button>
      </div>
    </section>`;
  }
}

customElements.define("civitas-offer", OfferScreen);
customElements.define("civitas-offer-result", OfferResultScreen);
