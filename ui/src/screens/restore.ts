// Restoring a wallet from a backup file, its recovery words and a new passphrase.
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { ScreenElement, onSubmit, valueOf } from "./screen";

export class RestoreScreen extends ScreenElement {
  static properties = {
    file: { state: true },
    words: { state: true },
    passphrase: { state: true },
  };

  declare file: string;
  declare words: string;
  declare passphrase: string;

  constructor() {
    super();
    const app = this.state.app;
    this.file = app ? `${app.backup_dir}/` : "";
    this.words = "";
    this.passphrase = "";
  }

  render(): TemplateResult {
    return html`<section class="panel narrow" id="screen-restore">
      <h1 tabindex="-1">${this.tr("restore.title")}</h1>
      <p>${this.tr("restore.body")}</p>
      <form @submit=${onSubmit(() => this.store.restore(this.file, this.words, this.passphrase))}>
        <div class="field">
          <label for="restore-file">${this.tr("restore.file")}</label>
          <input id="restore-file" required .value=${live(this.file)} @input=${(e: Event) => { this.file = valueOf(e); }} />
        </div>
        <div class="field">
          <label for="restore-words">${this.tr("restore.words")}</label>
          <textarea id="restore-words" rows="4" autocomplete="off" spellcheck="false" required
            .value=${live(this.words)} @input=${(e: Event) => { this.words = valueOf(e); }}></textarea>
        </div>
        <div class="field">
          <label for="restore-passphrase">${this.tr("restore.passphrase")}</label>
          <input id="restore-passphrase" type="password" autocomplete="new-password" required minlength="8"
            .value=${live(this.passphrase)} @input=${(e: Event) => { this.passphrase = valueOf(e); }} />
        </div>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.store.go("welcome")}>${this.tr("common.back")}</button>
          <button id="restore-submit" class="primary" type="submit" ?disabled=${this.state.busy}>${this.tr("restore.submit")}</button>
        </div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-restore", RestoreScreen);
