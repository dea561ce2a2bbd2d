// Security: lock now and the idle lock, change the passphrase, back up, rotate the keys
// after losing a device, deactivate the identity. Words and passphrases typed here are
// emptied after each try.
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { formatDate } from "../i18n";
import { ScreenElement, checkedOf, onSubmit, valueOf } from "./screen";

/** The idle-lock choices, in minutes. */
const AUTOLOCK_MINUTES = [1, 2, 5, 15, 30];

export class SecurityScreen extends ScreenElement {
  static properties = {
    currentPassphrase: { state: true },
    newPassphrase: { state: true },
    backupPath: { state: true },
    rotateWords: { state: true },
    deactivateWords: { state: true },
    deactivateSure: { state: true },
  };

  declare currentPassphrase: string;
  declare newPassphrase: string;
  declare backupPath: string;
  declare rotateWords: string;
  declare deactivateWords: string;
  declare deactivateSure: boolean;

  constructor() {
    super();
    this.currentPassphrase = "";
    this.newPassphrase = "";
    this.backupPath = "";
    this.rotateWords = "";
    this.deactivateWords = "";
    this.deactivateSure = false;
  }

  private async changePassphrase(): Promise<void> {
    await this.store.changePassphrase(this.currentPassphrase, this.newPassphrase);
    this.currentPassphrase = "";
    this.newPassphrase = "";
  }

  private async rotate(): Promise<void> {
    await this.store.rotateKeys(this.rotateWords);
    this.rotateWords = "";
  }

  private async deactivate(): Promise<void> {
    await this.store.deactivate(this.deactivateWords);
    this.deactivateWords = "";
  }

  render(): TemplateResult {
    const s = this.state.status;
    const busy = this.state.busy;
    const idle = s?.idle_timeout ?? 300;
    return html`<section id="screen-security">
      <h1 tabindex="-1">${this.tr("security.title")}</h1>
      <section class="panel">
        <h2>${this.tr("security.lock")}</h2>
        <p>${this.tr("security.lock_body")}</p>
        <div class="actions">
          <button id="security-lock" class="primary" @click=${() => this.store.lockNow()}>${this.tr("security.lock")}</button>
        </div>
        <div class="field inline">
          <label for="autolock">${this.tr("security.autolock")}</label>
          <select id="autolock" @change=${(e: Event) => this.store.setAutoLock(Number(valueOf(e)))}>
            ${AUTOLOCK_MINUTES.map((m) => html`<option value=${m * 60} ?selected=${idle === m * 60}>${this.tr("security.minutes", { n: m })}</option>`)}
          </select>
        </div>
      </section>
      <section class="panel">
        <h2>${this.tr("security.change")}</h2>
        <form @submit=${onSubmit(() => this.changePassphrase())}>
          <div class="field"><label for="current-passphrase">${this.tr("security.current")}</label>
            <input id="current-passphrase" type="password" autocomplete="current-password" required
              .value=${live(this.currentPassphrase)} @input=${(e: Event) => { this.currentPassphrase = valueOf(e); }} /></div>
          <div class="field"><label for="new-passphrase">${this.tr("security.new")}</label>
            <input id="new-passphrase" type="password" autocomplete="new-password" required minlength="8"
              .value=${live(this.newPassphrase)} @input=${(e: Event) => { this.newPassphrase = valueOf(e); }} /></div>
          <div class="actions"><button id="change-submit" class="primary" type="submit" ?disabled=${busy}>${this.tr("security.change")}</button></div>
        </form>
      </section>
      <section class="panel">
        <h2>${this.tr("security.backup")}</h2>
        <p>${this.tr("security.backup_body")}</p>
        <p>${this.tr("security.last_backup", { when: s?.last_backup ? formatDate(this.locale, s.last_backup, true) : this.tr("security.never") })}</p>
        <div class="field"><label for="backup-path">${this.tr("security.backup_path")}</label>
          <input id="backup-path" placeholder=${this.state.app?.backup_dir ?? ""}
            .value=${live(this.backupPath)} @input=${(e: Event) => { this.backupPath = valueOf(e); }} /></div>
        <div class="actions"><button id="backup-submit" class="primary" ?disabled=${busy}
          @click=${() => this.store.backup(this.backupPath)}>${this.tr("security.backup_now")}</button></div>
      </section>
      <section class="panel">
        <h2>${this.tr("security.lost")}</h2>
        <p>${this.tr("security.lost_body")}</p>
        <div class="field"><label for="rotate-words">${this.tr("security.words")}</label>
          <textarea id="rotate-words" rows="3" autocomplete="off" spellcheck="false"
            .value=${live(this.rotateWords)} @input=${(e: Event) => { this.rotateWords = valueOf(e); }}></textarea></div>
        <div class="actions"><button id="rotate-submit" class="primary" ?disabled=${busy}
          @click=${() => this.rotate()}>${this.tr("security.rotate")}</button></div>
      </section>
      <section class="panel danger-zone">
        <h2>${this.tr("security.deactivate")}</h2>
        <p>${this.tr("security.deactivate_body")}</p>
        <div class="field"><label for="deactivate-words">${this.tr("security.words")}</label>
          <textarea id="deactivate-words" rows="3" autocomplete="off" spellcheck="false"
            .value=${live(this.deactivateWords)} @input=${(e: Event) => { this.deactivateWords = valueOf(e); }}></textarea></div>
        <div class="check"><input id="deactivate-sure" type="checkbox" .checked=${this.deactivateSure}
          @change=${(e: Event) => { this.deactivateSure = checkedOf(e); }} />
          <label for="deactivate-sure">${this.tr("security.deactivate_sure")}</label></div>
        <div class="actions"><button id="deactivate-submit" class="danger" ?disabled=${busy || !this.deactivateSure}
          @click=${() => this.deactivate()}>${this.tr("security.deactivate")}</button></div>
      </section>
    </section>`;
  }
}

customElements.define("civitas-security", SecurityScreen);
