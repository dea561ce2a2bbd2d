// Onboarding, step 2: the recovery kit (24 words and their QR code) to write down.
import { html, type TemplateResult } from "lit";
import { ScreenElement, checkedOf, svgUrl } from "./screen";

export class KitScreen extends ScreenElement {
  render(): TemplateResult {
    const kit = this.state.kit;
    if (!kit) return html`<p>${this.tr("common.working")}</p>`;
    return html`<section class="panel" id="screen-kit">
      <h1 tabindex="-1">${this.tr("kit.title")}</h1>
      <p class="lead">${this.tr("kit.body")}</p>
      <div class="kit">
        <ol id="kit-words" class="words">
          ${kit.words.map((w, i) => html`<li class="kit-word" data-n=${i + 1}><span class="n">${i + 1}</span> <span class="w">${w}</span></li>`)}
        </ol>
        <figure class="kit-qr">
          <img id="kit-qr" src=${svgUrl(kit.qr_svg)} alt=${this.tr("kit.qr")} />
          <figcaption>${this.tr("kit.qr")}</figcaption>
        </figure>
      </div>
      <div class="check">
        <input id="kit-written" type="checkbox" .checked=${this.state.kitWritten}
          @change=${(e: Event) => this.store.setKitWritten(checkedOf(e))} />
        <label for="kit-written">${this.tr("kit.written")}</label>
      </div>
      <div class="actions">
        <button id="kit-continue" class="primary" ?disabled=${!this.state.kitWritten} @click=${() => this.store.go("kit-check")}>${this.tr("kit.check")}</button>
      </div>
    </section>`;
  }
}

customElements.define("civitas-kit", KitScreen);
