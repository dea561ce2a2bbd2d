// The lock screen: the passphrase opens the wallet (the field is emptied after every try).
import { html, nothing, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { ScreenElement, onSubmit, valueOf } from "./screen";

export class UnlockScreen extends ScreenElement {
  static properties = {
    passphrase: { state: true },
  };

  declare passphrase: string;

  constructor() {
    super();
    this.passphrase = "";
  }

  private async unlock(): Promise<void> {
    await this.store.unlock(this.passphrase);
    this.passphrase = "";
  }

  render(): TemplateResult {
    const app = this.state.app;
    return html`<section class="panel narrow" id="screen-unlock">
      <h1 tabindex="-1">${this.tr("unlock.title")}</h1>
      ${app?.open_error ? html`<p class="alert" role="alert">${app.open_error}</p>` : nothing}
      <form @submit=${onSubmit(() => this.unlock())}>
        <div class="field">
          <label for="unlock-passphrase">${this.tr("unlock.passphrase")}</label>
          <input id="unlock-passphrase" type="password" autocomplete="current-password" required
            .value=${live(this.passphrase)} @input=${(e: Event) => { this.passphrase = valueOf(e); }} />
        </div>
        <div class="actions">
          <button id="unlock-submit" class="primary big" type="submit" ?disabled=${this.state.busy}>
            ${this.state.busy ? this.tr("common.working") : this.tr("unlock.submit")}
          </button>
        </div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-unlock", UnlockScreen);
