// Settings: which ledger (the embedded one or a node), language, theme, text size.
import { html, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { LOCALES } from "../i18n";
import { type SettingsForm, formOf, settingsOf } from "../settings-form";
import { defaultSettings } from "../store";
import { ScreenElement, onSubmit, valueOf } from "./screen";

const THEMES = ["system", "light", "dark", "contrast"];
const TEXT_SIZES = [1, 1.25, 1.5];

export class SettingsScreen extends ScreenElement {
  static properties = {
    form: { state: true },
  };

  declare form: SettingsForm;

  constructor() {
    super();
    this.form = formOf(this.state.settings ?? defaultSettings(this.locale));
  }

  private edit(patch: Partial<SettingsForm>): void {
    this.form = { ...this.form, ...patch };
  }

  private async save(): Promise<void> {
    if (await this.store.saveSettings(settingsOf(this.form))) {
      this.form = formOf(this.state.settings ?? defaultSettings(this.locale));
    }
  }

  render(): TemplateResult {
    const f = this.form;
    const node = f.ledgerKind === "node";
    return html`<section id="screen-settings" class="panel">
      <h1 tabindex="-1">${this.tr("settings.title")}</h1>
      <form @submit=${onSubmit(() => this.save())}>
        <fieldset>
          <legend>${this.tr("settings.ledger")}</legend>
          <div class="check"><input type="radio" name="ledger-kind" id="ledger-embedded" value="embedded" .checked=${live(!node)}
              @change=${() => this.edit({ ledgerKind: "embedded" })} />
            <label for="ledger-embedded">${this.tr("settings.embedded")}</label></div>
          <div class="field indent"><label for="ledger-path">${this.tr("settings.embedded_path")}</label>
            <input id="ledger-path" .value=${live(f.ledgerPath)} @input=${(e: Event) => this.edit({ ledgerPath: valueOf(e) })} /></div>
          <div class="check"><input type="radio" name="ledger-kind" id="ledger-node" value="node" .checked=${live(node)}
              @change=${() => this.edit({ ledgerKind: "node" })} />
            <label for="ledger-node">${this.tr("settings.node")}</label></div>
          <div class="field indent"><label for="ledger-url">${this.tr("settings.node_url")}</label>
            <input id="ledger-url" type="url" .value=${live(f.ledgerUrl)} @input=${(e: Event) => this.edit({ ledgerUrl: valueOf(e) })} /></div>
        </fieldset>
        <div class="field"><label for="locale">${this.tr("settings.language")}</label>
          <select id="locale" @change=${(e: Event) => this.edit({ locale: valueOf(e) })}>
            ${LOCALES.map((l) => html`<option value=${l.id} ?selected=${l.id === f.locale}>${l.name}</option>`)}</select></div>
        <div class="field"><label for="theme">${this.tr("settings.theme")}</label>
          <select id="theme" @change=${(e: Event) => this.edit({ theme: valueOf(e) })}>
            ${THEMES.map((th) => html`<option value=${th} ?selected=${th === f.theme}>${this.tr(`theme.${th}`)}</option>`)}</select></div>
        <div class="field"><label for="text-size">${this.tr("settings.text_size")}</label>
          <select id="text-size" @change=${(e: Event) => this.edit({ textSize: Number(valueOf(e)) })}>
            ${TEXT_SIZES.map((z) => html`<option value=${z} ?selected=${z === f.textSize}>${this.tr(`size.${z}`)}</option>`)}</select></div>
        <div class="actions"><button id="settings-save" class="primary" type="submit" ?disabled=${this.state.busy}>${this.tr("settings.save")}</button></div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-settings", SettingsScreen);
