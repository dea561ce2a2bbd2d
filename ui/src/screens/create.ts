// Onboarding, step 1: choose a passphrase (with a strength meter) and create the wallet.
import { html, nothing, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { strength } from "../strength";
import { ScreenElement, onSubmit, valueOf } from "./screen";

export class CreateScreen extends ScreenElement {
  static properties = {
    passphrase: { state: true },
    repeat: { state: true },
  };

  declare passphrase: string;
  declare repeat: string;

  constructor() {
    super();
    this.passphrase = "";
    this.repeat = "";
  }

  render(): TemplateResult {
    const s = strength(this.passphrase);
    return html`<section class="panel narrow" id="screen-create">
      <h1 tabindex="-1">${this.tr("create.title")}</h1>
      <p>${this.tr("create.body")}</p>
      <form @submit=${onSubmit(() => this.store.create(this.passphrase, this.repeat))}>
        <div class="field">
          <label for="passphrase">${this.tr("create.passphrase")}</label>
          <input id="passphrase" type="password" autocomplete="new-password" required minlength="8"
            aria-describedby="strength" .value=${live(this.passphrase)} @input=${(e: Event) => { this.passphrase = valueOf(e); }} />
        </div>
        <div id="strength" class="strength s${s.score}" aria-live="polite">
          <div class="meter" aria-hidden="true"><span></span><span></span><span></span><span></span></div>
          <p><strong>${this.tr("strength.label")}: <span id="strength-word">${this.tr(`strength.${s.score}`)}</span></strong>
            ${s.advice.length ? html` — ${this.tr(s.advice[0])}` : nothing}</p>
        </div>
        <div class="field">
          <label for="passphrase-repeat">${this.tr("create.repeat")}</label>
          <input id="passphrase-repeat" type="password" autocomplete="new-password" required
            .value=${live(this.repeat)} @input=${(e: Event) => { this.repeat = valueOf(e); }} />
        </div>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.store.go("welcome")}>${this.tr("common.back")}</button>
          <button id="create-submit" class="primary" type="submit" ?disabled=${this.state.busy || s.score === 0}>${this.tr("create.submit")}</button>
        </div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-create", CreateScreen);
