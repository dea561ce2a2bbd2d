// The app's frame: one Lit element rendering into the light DOM (one stylesheet, plain
// ids for the end-to-end test, no shadow roots for a screen reader to cross). It shows
// the header, the menu, the alert and status regions, and the screen the store names;
// each screen is an element of its own under screens/. The state is the store's
// (store.ts); this element only applies the settings to the page and forwards the
// Rust side's `locked` event.
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { listen } from "@tauri-apps/api/event";
import { t } from "./i18n";
import { store } from "./session";
import { OUTSIDE_SCREENS, type Screen, StoreController } from "./store";
import "./screens/consent";
import "./screens/create";
import "./screens/credentials";
import "./screens/history";
import "./screens/home";
import "./screens/kit";
import "./screens/kit-check";
import "./screens/present";
import "./screens/proof";
import "./screens/offer";
import "./screens/receive";
import "./screens/restore";
import "./screens/security";
import "./screens/settings";
import "./screens/unlock";
import "./screens/welcome";

/** The menu, in order. */
const NAV: { screen: Screen; key: string }[] = [
  { screen: "home", key: "nav.home" },
  { screen: "credentials", key: "nav.credentials" },
  { screen: "receive", key: "nav.receive" },
  { screen: "present", key: "nav.present" },
  { screen: "history", key: "nav.history" },
  { screen: "security", key: "nav.security" },
  { screen: "settings", key: "nav.settings" },
];

export class CivitasApp extends LitElement {
  constructor() {
    super();
    new StoreController(this, store);
  }

  // Light DOM: the global stylesheet applies, WebDriver and screen readers see plain
  // elements.
  protected createRenderRoot(): HTMLElement {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void store.start();
    void listen("locked", () => store.locked()).catch(() => undefined);
  }

  private tr(key: string): string {
    return t(store.state.locale, key);
  }

  /** The language, theme and text size on the page's root element. */
  protected updated(): void {
    const { settings, locale } = store.state;
    if (!settings) return;
    const root = document.documentElement;
    root.lang = locale;
    root.dataset.theme = settings.theme;
    root.dataset.size = String(settings.text_size);
  }

  render(): TemplateResult {
    const { screen, busy, error, notice, visits } = store.state;
    const inside = !OUTSIDE_SCREENS.includes(screen);
    return html`
      <a class="skip" href="#main">${this.tr("nav.skip")}</a>
      <header class="top">
        <div class="brand"><span class="logo" aria-hidden="true"></span><span>${this.tr("app.name")}</span></div>
        ${inside
          ? html`<button id="lock-now" class="secondary" @click=${() => store.lockNow()}>${this.tr("nav.lock")}</button>`
          : nothing}
      </header>
      <div class="layout ${inside ? "with-nav" : ""}">
        ${inside ? this.renderNav(screen) : nothing}
        <main id="main" aria-busy=${busy ? "true" : "false"}>
          ${error ? html`<div id="error" class="alert" role="alert">${error}</div>` : nothing}
          ${notice ? html`<div id="notice" class="notice" role="status">${notice}</div>` : nothing}
          ${keyed(visits, this.renderScreen(screen))}
        </main>
      </div>
    `;
  }

  private renderNav(current: Screen): TemplateResult {
    return html`<nav aria-label=${this.tr("nav.label")}>
      <ul>
        ${NAV.map(
          (n) => html`<li>
            <button id="nav-${n.screen}" class="nav ${current === n.screen ? "current" : ""}"
              aria-current=${current === n.screen ? "page" : "false"} @click=${() => store.nav(n.screen)}>
              ${this.tr(n.key)}
            </button>
          </li>`,
        )}
      </ul>
    </nav>`;
  }

  /** The screen's element (the present screen is one of three steps: the request
   * form, the consent, the proof; the receive screen is the forms, an issuer's
   * offer with its PIN, or what the offer gave). */
  private renderScreen(screen: Screen): TemplateResult {
    switch (screen) {
      case "loading":
        return html`<p>${this.tr("common.working")}</p>`;
      case "welcome":
        return html`<civitas-welcome></civitas-welcome>`;
      case "create":
        return html`<civitas-create></civitas-create>`;
      case "kit":
        return html`<civitas-kit></civitas-kit>`;
      case "kit-check":
        return html`<civitas-kit-check></civitas-kit-check>`;
      case "restore":
        return html`<civitas-restore></civitas-restore>`;
      case "unlock":
        return html`<civitas-unlock></civitas-unlock>`;
      case "home":
        return html`<civitas-home></civitas-home>`;
      case "credentials":
        return html`<civitas-credentials></civitas-credentials>`;
      case "receive":
        if (store.state.offer && store.state.offerResult) return html`<civitas-offer-result></civitas-offer-result>`;
        if (store.state.offer) return html`<civitas-offer></civitas-offer>`;
        return html`<civitas-receive></civitas-receive>`;
      case "present":
        if (store.state.proof) return html`<civitas-proof></civitas-proof>`;
        if (store.state.request) return html`<civitas-consent></civitas-consent>`;
        return html`<civitas-present></civitas-present>`;
      case "history":
        return html`<civitas-history></civitas-history>`;
      case "security":
        return html`<civitas-security></civitas-security>`;
      case "settings":
        return html`<civitas-settings></civitas-settings>`;
    }
  }
}

customElements.define("civitas-app", CivitasApp);
