// The first screen without a wallet: create one, or restore a backup; the language.
import { html, type TemplateResult } from "lit";
import { LOCALES } from "../i18n";
import { ScreenElement, valueOf } from "./screen";

export class WelcomeScreen extends ScreenElement {
  render(): TemplateResult {
    return html`<section class="panel narrow" id="screen-welcome">
      <h1 tabindex="-1">${this.tr("welcome.title")}</h1>
      <p class="lead">${this.tr("welcome.body")}</p>
      <div class="actions column">
        <button id="create-start" class="primary big" @click=${() => this.store.go("create")}>${this.tr("welcome.create")}</button>
        <button id="restore-start" class="secondary big" @click=${() => this.store.go("restore")}>${this.tr("welcome.restore")}</button>
      </div>
      <div class="field lang">
        <label for="welcome-locale">${this.tr("settings.language")}</label>
        <select id="welcome-locale" @change=${(e: Event) => this.store.setLocale(valueOf(e))}>
          ${LOCALES.map((l) => html`<option value=${l.id} ?selected=${l.id === this.locale}>${l.name}</option>`)}
        </select>
      </div>
    </section>`;
  }
}

customElements.define("civitas-welcome", WelcomeScreen);
