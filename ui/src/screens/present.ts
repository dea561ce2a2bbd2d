// Show at a counter, step 1: open the counter's request (its URL pasted, or a picture
// of its QR code). The consent and proof screens follow (consent.ts, proof.ts).
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { ScreenElement, fileOf, onSubmit, valueOf } from "./screen";

export class PresentScreen extends ScreenElement {
  static properties = {
    text: { state: true },
  };

  /** The request URL pasted. */
  declare text: string;

  constructor() {
    super();
    this.text = "";
  }

  private open(request: string | File | undefined): void {
    // On success the store has the request's view: the app shows the consent screen.
    if (request !== undefined) void this.store.openRequest(request);
  }

  render(): TemplateResult {
    return html`<section id="screen-present" class="panel">
      <h1 tabindex="-1">${this.tr("present.title")}</h1>
      <p>${this.tr("present.body")}</p>
      <form @submit=${onSubmit(() => this.open(this.text))}>
        <div class="field">
          <label for="request-text">${this.tr("present.request")}</label>
          <textarea id="request-text" rows="4" spellcheck="false" required
            .value=${live(this.text)} @input=${(e: Event) => { this.text = valueOf(e); }}></textarea>
        </div>
        <div class="actions">
          <button id="request-open" class="primary" type="submit" ?disabled=${this.state.busy}>${this.tr("present.open")}</button>
          <input id="request-image" class="file-input" type="file" accept="image/png,image/jpeg"
            @change=${(e: Event) => this.open(fileOf(e))} />
          <label class="button secondary" for="request-image">${this.tr("present.image")}</label>
        </div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-present", PresentScreen);
