// Onboarding, step 3: three words of the recovery kit typed back.
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { CHECK_POSITIONS } from "../store";
import { ScreenElement, onSubmit, valueOf } from "./screen";

export class KitCheckScreen extends ScreenElement {
  static properties = {
    words: { state: true },
  };

  /** The words typed, by position in the kit. */
  declare words: Record<number, string>;

  constructor() {
    super();
    this.words = {};
  }

  private answers(): { position: number; word: string }[] {
    return CHECK_POSITIONS.map((n) => ({ position: n, word: this.words[n] ?? "" }));
  }

  render(): TemplateResult {
    return html`<section class="panel narrow" id="screen-kit-check">
      <h1 tabindex="-1">${this.tr("kit.check")}</h1>
      <p>${this.tr("kit.check_body")}</p>
      <form @submit=${onSubmit(() => this.store.confirmKit(this.answers()))}>
        ${CHECK_POSITIONS.map(
          (n) => html`<div class="field">
            <label for="check-word-${n}">${this.tr("kit.word_n", { n })}</label>
            <input id="check-word-${n}" autocomplete="off" autocapitalize="off" spellcheck="false" required
              .value=${live(this.words[n] ?? "")} @input=${(e: Event) => { this.words = { ...this.words, [n]: valueOf(e) }; }} />
          </div>`,
        )}
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.store.go("kit")}>${this.tr("common.back")}</button>
          <button id="kit-confirm" class="primary" type="submit" ?disabled=${this.state.busy}>${this.tr("kit.confirm")}</button>
        </div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-kit-check", KitCheckScreen);
