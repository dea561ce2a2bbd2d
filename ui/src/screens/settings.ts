// Settings: which ledger (the embedded one or a node), language, theme, text size, and
// the root authorities whose accreditations the wallet trusts ("Issuers trusted by":
// added and removed at once, each checked as a DID; empty: no issuer is trusted).
import { html, nothing, type TemplateResult } from "lit";
import { live } from "lit/directives/live.js";
import { LOCALES } from "../i18n";
import { rootProblem } from "../roots";
import { type SettingsForm, formOf, settingsOf } from "../settings-form";
import { defaultSettings } from "../store";
import { ScreenElement, onSubmit, valueOf } from "./screen";

const THEMES = ["system", "light", "dark", "contrast"];
const TEXT_SIZES = [1, 1.25, 1.5];

export class SettingsScreen extends ScreenElement {
  static properties = {
    form: { state: true },
    newRoot: { state: true },
  };

  declare form: SettingsForm;
  /** The DID typed in "add an authority". */
  declare newRoot: string;

  constructor() {
    super();
    this.form = formOf(this.state.settings ?? defaultSettings(this.locale));
    this.newRoot = "";
  }

  private get roots(): string[] {
    return this.state.settings?.trusted_roots ?? [];
  }

  private async addRoot(): Promise<void> {
    const problem = rootProblem(this.newRoot, this.roots);
    if (problem) {
      this.store.showAlert(problem);
      return;
    }
    if (await this.store.saveRoots([...this.roots, this.newRoot.trim()])) this.newRoot = "";
  }

  private async removeRoot(did: string): Promise<void> {
    await this.store.saveRoots(this.roots.filter((r) => r !== did));
  }

  private edit(patch: Partial<SettingsForm>): void {
    this.form = { ...this.form, ...patch };
  }

  private async save(): Promise<void> {
    if (await this.store.saveSettings(settingsOf(this.form, this.roots))) {
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
      ${this.renderRoots()}
    </section>`;
  }

  private renderRoots(): TemplateResult {
    const roots = this.roots;
    return html`<section id="roots" aria-labelledby="roots-title">
      <h2 id="roots-title">${this.tr("roots.title")}</h2>
      <p>${this.tr("roots.body")}</p>
      ${roots.length === 0 ? html`<p id="roots-none" class="warning">${this.tr("roots.none")}</p>` : nothing}
      <ul id="roots-list" class="roots">
        ${roots.map(
          (did) => html`<li class="root-item"><span class="mono">${did}</span>
            <button class="secondary root-remove" type="button" data-did=${did} ?disabled=${this.state.busy}
              aria-label=${this.tr("roots.remove_label", { did })} @click=${() => this.removeRoot(did)}>${this.tr("roots.remove")}</button></li>`,
        )}
      </ul>
      <form @submit=${onSubmit(() => this.addRoot())}>
        <div class="field"><label for="root-new">${this.tr("roots.add_label")}</label>
          <input id="root-new" class="mono" spellcheck="false" autocomplete="off" .value=${live(this.newRoot)}
            @input=${(e: Event) => { this.newRoot = valueOf(e); }} /></div>
        <div class="actions"><button id="root-add" class="primary" type="submit" ?disabled=${this.state.busy}>${this.tr("roots.add")}</button></div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-settings", SettingsScreen);
