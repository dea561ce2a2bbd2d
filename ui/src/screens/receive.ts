// Receive: the demo issuer's credentials, an issuer's offer (openid-credential-offer://,
// pasted or from a QR picture; screens/offer.ts shows it), a credential pasted, dropped
// or read from a QR picture, and this device's holder key (for an issuer).
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { isOfferLink } from "../offer";
import { ScreenElement, fileOf, onSubmit, valueOf } from "./screen";

export class ReceiveScreen extends ScreenElement {
  static properties = {
    text: { state: true },
    offer: { state: true },
  };

  /** The credential pasted. */
  declare text: string;
  /** The issuer's offer link pasted. */
  declare offer: string;

  constructor() {
    super();
    this.text = "";
    this.offer = "";
  }

  private async receiveText(text: string): Promise<void> {
    // An offer link pasted where a credential goes is an offer all the same.
    if (isOfferLink(text)) {
      if (await this.store.previewOffer(text)) this.text = "";
      return;
    }
    if (await this.store.receiveText(text)) this.text = "";
  }

  private async openOffer(offer: string | File | undefined): Promise<void> {
    if (!offer) return;
    if (await this.store.previewOffer(offer)) this.offer = "";
  }

  private async receiveFile(file: File | undefined): Promise<void> {
    if (!file) return;
    if (file.type.startsWith("image/")) await this.store.receiveImage(file);
    else await this.receiveText(await file.text());
  }

  render(): TemplateResult {
    const busy = this.state.busy;
    return html`<section id="screen-receive">
      <h1 tabindex="-1">${this.tr("receive.title")}</h1>
      <section class="panel">
        <h2>${this.tr("receive.demo")}</h2>
        <p>${this.tr("receive.demo_body")}</p>
        <button id="demo-credentials" class="primary" ?disabled=${busy} @click=${() => this.store.demo()}>${this.tr("receive.demo")}</button>
      </section>
      <section class="panel" id="receive-offer-panel">
        <h2>${this.tr("receive.offer")}</h2>
        <p>${this.tr("receive.offer_body")}</p>
        <form @submit=${onSubmit(() => this.openOffer(this.offer))}>
          <div class="field">
            <label for="offer-uri">${this.tr("receive.offer_label")}</label>
            <textarea id="offer-uri" rows="3" spellcheck="false" required
              .value=${live(this.offer)} @input=${(e: Event) => { this.offer = valueOf(e); }}></textarea>
          </div>
          <div class="actions">
            <button id="offer-open" class="primary" type="submit" ?disabled=${busy}>${this.tr("receive.offer_open")}</button>
            <input id="offer-image" class="file-input" type="file" accept="image/png,image/jpeg"
              @change=${(e: Event) => this.openOffer(fileOf(e))} />
            <label class="button secondary" for="offer-image">${this.tr("receive.offer_image")}</label>
          </div>
        </form>
      </section>
      <section class="panel drop" @dragover=${(e: DragEvent) => e.preventDefault()}
        @drop=${(e: DragEvent) => { e.preventDefault(); void this.receiveFile(e.dataTransfer?.files[0]); }}>
        <h2>${this.tr("receive.paste")}</h2>
        <form @submit=${onSubmit(() => this.receiveText(this.text))}>
          <div class="field">
            <label for="receive-text">${this.tr("receive.paste_label")}</label>
            <textarea id="receive-text" rows="4" spellcheck="false" required
              .value=${live(this.text)} @input=${(e: Event) => { this.text = valueOf(e); }}></textarea>
          </div>
          <div class="actions">
            <button id="receive-submit" class="primary" type="submit" ?disabled=${busy}>${this.tr("receive.add")}</button>
            <input id="receive-image" class="file-input" type="file" accept="image/png,image/jpeg,.txt,.jwt,.sdjwt"
              @change=${(e: Event) => this.receiveFile(fileOf(e))} />
            <label class="button secondary" for="receive-image">${this.tr("receive.image")}</label>
          </div>
        </form>
        <p class="small">${this.tr("receive.drop")}</p>
      </section>
      <section class="panel">
        <h2>${this.tr("receive.key")}</h2>
        <p>${this.tr("receive.key_body")}</p>
        <label class="visually-hidden" for="holder-key">${this.tr("receive.key")}</label>
        <textarea id="holder-key" class="mono" rows="3" readonly .value=${this.state.holderKey ?? ""}></textarea>
      </section>
    </section>`;
  }
}

customElements.define("civitas-receive", ReceiveScreen);
