// The app: one Lit element rendering into the light DOM (one stylesheet, plain ids
// for the end-to-end test, no shadow roots for a screen reader to cross). Screens are
// methods; state is a few fields. Every action goes through `act`, which shows a
// "working" state, catches the {code, message} error and displays it in the
// screen's alert region.
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { listen } from "@tauri-apps/api/event";
import {
  api,
  type AppStatus,
  type ConsentView,
  type CredentialDetails,
  type CredentialSummary,
  type IntegrityReport,
  type Proof,
  type Settings,
  type Status,
} from "./api";
import { type ConsentState, claimLabel, dropped, formatValue, initialConsent, toggle, typeName, willDisclose } from "./consent";
import { describeError } from "./errors";
import { type Locale, LOCALES, formatDate, isLocale, t } from "./i18n";
import { strength } from "./strength";
import { type HistoryView, describeEvent, describeProblem, shortId } from "./history";

type Screen =
  | "loading"
  | "welcome"
  | "create"
  | "kit"
  | "kit-check"
  | "restore"
  | "unlock"
  | "home"
  | "credentials"
  | "receive"
  | "present"
  | "history"
  | "security"
  | "settings";

const NAV: { screen: Screen; key: string }[] = [
  { screen: "home", key: "nav.home" },
  { screen: "credentials", key: "nav.credentials" },
  { screen: "receive", key: "nav.receive" },
  { screen: "present", key: "nav.present" },
  { screen: "history", key: "nav.history" },
  { screen: "security", key: "nav.security" },
  { screen: "settings", key: "nav.settings" },
];

const CHECK_POSITIONS = [3, 11, 20];

function svgUrl(svg: string): string {
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}

function val(id: string): string {
  const el = document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null;
  return el ? el.value : "";
}

function clear(...ids: string[]): void {
  for (const id of ids) {
    const el = document.getElementById(id) as HTMLInputElement | null;
    if (el) el.value = "";
  }
}

async function fileBytes(file: File): Promise<number[]> {
  return Array.from(new Uint8Array(await file.arrayBuffer()));
}

export class CivitasApp extends LitElement {
  static properties = {
    screen: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
    locale: { state: true },
  };

  declare screen: Screen;
  declare busy: boolean;
  declare error: string | null;
  declare notice: string | null;
  declare locale: Locale;

  private app: AppStatus | null = null;
  private settings: Settings | null = null;
  private status: Status | null = null;
  private credentials: CredentialSummary[] = [];
  private pid: CredentialDetails | null = null;
  private detail: CredentialDetails | null = null;
  private kit: { words: string[]; qr_svg: string } | null = null;
  private kitWritten = false;
  private pass = "";
  private consentView: ConsentView | null = null;
  private consent: ConsentState | null = null;
  private proof: Proof | null = null;
  private historyItems: HistoryView[] = [];
  private integrity: IntegrityReport | null = null;
  private holderKey: string | null = null;
  private deactivateSure = false;

  constructor() {
    super();
    this.screen = "loading";
    this.busy = false;
    this.error = null;
    this.notice = null;
    this.locale = "en-US";
  }

  // Light DOM: the global stylesheet applies, WebDriver and screen readers see plain
  // elements.
  protected createRenderRoot(): HTMLElement {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.start();
    void listen("locked", () => {
      this.forgetSession();
      this.notice = t(this.locale, "unlock.idle");
      this.go("unlock");
    }).catch(() => undefined);
  }

  private tr(key: string, params: Record<string, string | number> = {}): string {
    return t(this.locale, key, params);
  }

  private async start(): Promise<void> {
    try {
      this.settings = await api.getSettings();
      this.applySettings(this.settings);
    } catch {
      // Defaults.
    }
    await this.refreshAppState();
  }

  private applySettings(s: Settings): void {
    if (isLocale(s.locale)) this.locale = s.locale;
    const root = document.documentElement;
    root.lang = this.locale;
    root.dataset.theme = s.theme;
    root.dataset.size = String(s.text_size);
  }

  private async refreshAppState(): Promise<void> {
    try {
      this.app = await api.appState();
    } catch (e) {
      this.showError(e);
      return;
    }
    if (!this.app.has_wallet) this.go("welcome");
    else if (this.app.recovery_pending && this.app.unlocked) await this.openKit();
    else if (!this.app.unlocked) this.go("unlock");
    else await this.openHome();
  }

  private forgetSession(): void {
    this.status = null;
    this.credentials = [];
    this.pid = null;
    this.detail = null;
    this.consentView = null;
    this.consent = null;
    this.proof = null;
    this.historyItems = [];
    this.holderKey = null;
  }

  private go(screen: Screen): void {
    this.screen = screen;
    this.error = null;
    void this.updateComplete.then(() => {
      const h = this.querySelector<HTMLElement>("main h1");
      h?.focus();
    });
  }

  private showError(e: unknown): void {
    const d = describeError(e, this.locale);
    this.error = d.text;
    if (d.needsUnlock) {
      this.forgetSession();
      this.screen = "unlock";
      this.error = d.text;
    }
  }

  private depth = 0;

  /** Runs an action with the busy state and error display. Nested calls (an action
   * that opens another screen) run inside the outer one, whose handler shows the
   * error. */
  private async act(f: () => Promise<void>): Promise<void> {
    const outer = this.depth === 0;
    if (outer && this.busy) return;
    this.depth += 1;
    this.busy = true;
    if (outer) {
      this.error = null;
      this.notice = null;
    }
    try {
      await f();
    } catch (e) {
      if (!outer) throw e;
      this.showError(e);
    } finally {
      this.depth -= 1;
      if (this.depth === 0) this.busy = false;
    }
  }

  // ---- navigation targets -------------------------------------------------------

  private async openHome(): Promise<void> {
    this.go("home");
    await this.act(async () => {
      this.status = await api.identity();
      this.credentials = await api.listCredentials();
      const pid = this.credentials.find((c) => c.vct.includes("/pid/"));
      this.pid = pid ? await api.credentialDetails(pid.id) : null;
      this.requestUpdate();
    });
  }

  private async openCredentials(): Promise<void> {
    this.detail = null;
    this.go("credentials");
    await this.act(async () => {
      this.credentials = await api.listCredentials();
      this.requestUpdate();
    });
  }

  private async openDetail(id: string): Promise<void> {
    await this.act(async () => {
      this.detail = await api.credentialDetails(id);
      this.requestUpdate();
      await this.updateComplete;
      this.querySelector<HTMLElement>("#credential-detail h2")?.focus();
    });
  }

  private async openReceive(): Promise<void> {
    this.go("receive");
    await this.act(async () => {
      const k = await api.holderKey();
      this.holderKey = JSON.stringify(k.jwk);
      this.requestUpdate();
    });
  }

  private async openHistory(): Promise<void> {
    this.go("history");
    await this.act(async () => {
      this.historyItems = (await api.history()) as HistoryView[];
      this.requestUpdate();
    });
  }

  private async openSecurity(): Promise<void> {
    this.go("security");
    this.deactivateSure = false;
    await this.act(async () => {
      this.status = await api.identity();
      this.requestUpdate();
    });
  }

  private async nav(screen: Screen): Promise<void> {
    this.notice = null;
    this.stopProofCycle();
    switch (screen) {
      case "home":
        return this.openHome();
      case "credentials":
        return this.openCredentials();
      case "receive":
        return this.openReceive();
      case "history":
        return this.openHistory();
      case "security":
        return this.openSecurity();
      case "present":
        this.consentView = null;
        this.consent = null;
        this.proof = null;
        return this.go("present");
      default:
        return this.go(screen);
    }
  }

  private async openKit(): Promise<void> {
    await this.act(async () => {
      this.kit = await api.recoveryKit();
      this.kitWritten = false;
      this.go("kit");
    });
  }

  // ---- actions ------------------------------------------------------------------

  private async create(): Promise<void> {
    const p = val("passphrase");
    if (p !== val("passphrase-repeat")) {
      this.error = this.tr("create.mismatch");
      return;
    }
    await this.act(async () => {
      this.notice = this.tr("create.creating");
      await api.createWallet(p);
      clear("passphrase", "passphrase-repeat");
      this.pass = "";
      this.notice = null;
      this.kit = await api.recoveryKit();
      this.kitWritten = false;
      this.go("kit");
    });
  }

  private async confirmKit(): Promise<void> {
    const answers = CHECK_POSITIONS.map((n) => ({ position: n, word: val(`check-word-${n}`) }));
    await this.act(async () => {
      await api.confirmRecovery(answers);
      this.kit = null; // The words leave the web view for good.
      await this.openHome();
    });
  }

  private async restore(): Promise<void> {
    await this.act(async () => {
      const report = await api.restoreWallet(val("restore-file").trim(), val("restore-words"), val("restore-passphrase"));
      clear("restore-words", "restore-passphrase");
      await this.openHome();
      this.notice = this.tr("restore.done", { n: report.credentials });
    });
  }

  private async unlock(): Promise<void> {
    const p = val("unlock-passphrase");
    await this.act(async () => {
      try {
        this.integrity = await api.unlock(p);
      } finally {
        clear("unlock-passphrase");
      }
      await this.openHome();
      if (this.integrity && this.integrity.problems.length > 0) {
        this.error = `${this.tr("history.tampered")} ${this.integrity.problems.map((x) => describeProblem(x, this.locale)).join(" ")}`;
      }
    });
  }

  private async lockNow(): Promise<void> {
    await this.act(async () => {
      await api.lock();
      this.forgetSession();
      this.go("unlock");
    });
  }

  private async receiveText(text: string): Promise<void> {
    await this.act(async () => {
      const r = await api.receiveCredential(text);
      clear("receive-text");
      this.notice = this.tr("receive.got", { name: r.type_name ?? r.vct, issuer: r.issuer });
    });
  }

  private async receiveFile(file: File): Promise<void> {
    if (file.type.startsWith("image/")) {
      await this.act(async () => {
        const r = await api.receiveQrImage(await fileBytes(file));
        this.notice = this.tr("receive.got", { name: r.type_name ?? r.vct, issuer: r.issuer });
      });
    } else {
      await this.receiveText(await file.text());
    }
  }

  private async demo(): Promise<void> {
    await this.act(async () => {
      const got = await api.demoCredentials();
      this.notice = got.map((r) => this.tr("receive.got", { name: r.type_name ?? r.vct, issuer: r.issuer })).join(" ");
    });
  }

  private async openRequest(text: string | File): Promise<void> {
    await this.act(async () => {
      const v = typeof text === "string" ? await api.openRequest(text.trim()) : await api.openRequestImage(await fileBytes(text));
      this.consentView = v;
      this.consent = initialConsent(v, this.locale);
      this.proof = null;
      this.requestUpdate();
      await this.updateComplete;
      this.querySelector<HTMLElement>("#consent h2")?.focus();
    });
  }

  private async approve(): Promise<void> {
    const c = this.consent;
    if (!c) return;
    await this.act(async () => {
      this.proof = await api.present(dropped(c));
      this.proofLabels = willDisclose(c).map((r) => r.label);
      this.startProofCycle();
      this.consentView = null;
      this.consent = null;
      this.requestUpdate();
      await this.updateComplete;
      this.querySelector<HTMLElement>("#proof h2")?.focus();
    });
  }

  private async sendOnline(): Promise<void> {
    await this.act(async () => {
      const r = await api.sendOnline();
      this.notice = this.tr(r.receipt ? "proof.sent_receipt" : "proof.sent");
    });
  }

  private async checkHistory(): Promise<void> {
    await this.act(async () => {
      const r = await api.verifyHistory();
      if (r.problems.length === 0) this.notice = this.tr("history.intact", { n: r.history_entries });
      else this.error = `${this.tr("history.tampered")} ${r.problems.map((x) => describeProblem(x, this.locale)).join(" ")}`;
    });
  }

  private async saveSettings(): Promise<void> {
    const kind = (document.querySelector<HTMLInputElement>('input[name="ledger-kind"]:checked')?.value ?? "embedded") as "embedded" | "node";
    const path = val("ledger-path").trim();
    const next: Settings = {
      ledger: kind === "node" ? { kind: "node", url: val("ledger-url").trim() } : path ? { kind: "embedded", path } : { kind: "embedded" },
      locale: val("locale"),
      theme: val("theme"),
      text_size: Number(val("text-size")),
    };
    await this.act(async () => {
      this.settings = await api.setSettings(next);
      this.applySettings(this.settings);
      this.notice = this.tr("settings.saved");
      this.app = await api.appState();
      if (!this.app.unlocked && this.app.has_wallet) this.go("unlock");
    });
  }

  // ---- rendering ----------------------------------------------------------------

  render(): TemplateResult {
    const inside = !["loading", "welcome", "create", "kit", "kit-check", "restore", "unlock"].includes(this.screen);
    return html`
      <a class="skip" href="#main">${this.tr("nav.skip")}</a>
      <header class="top">
        <div class="brand"><span class="logo" aria-hidden="true"></span><span>${this.tr("app.name")}</span></div>
        ${inside
          ? html`<button id="lock-now" class="secondary" @click=${() => this.lockNow()}>${this.tr("nav.lock")}</button>`
          : nothing}
      </header>
      <div class="layout ${inside ? "with-nav" : ""}">
        ${inside ? this.renderNav() : nothing}
        <main id="main" aria-busy=${this.busy ? "true" : "false"}>
          ${this.error ? html`<div id="error" class="alert" role="alert">${this.error}</div>` : nothing}
          ${this.notice ? html`<div id="notice" class="notice" role="status">${this.notice}</div>` : nothing}
          ${this.renderScreen()}
        </main>
      </div>
    `;
  }

  private renderNav(): TemplateResult {
    return html`<nav aria-label=${this.tr("nav.label")}>
      <ul>
        ${NAV.map(
          (n) => html`<li>
            <button id="nav-${n.screen}" class="nav ${this.screen === n.screen ? "current" : ""}"
              aria-current=${this.screen === n.screen ? "page" : "false"} @click=${() => this.nav(n.screen)}>
              ${this.tr(n.key)}
            </button>
          </li>`,
        )}
      </ul>
    </nav>`;
  }

  private renderScreen(): TemplateResult {
    switch (this.screen) {
      case "loading":
        return html`<p>${this.tr("common.working")}</p>`;
      case "welcome":
        return this.renderWelcome();
      case "create":
        return this.renderCreate();
      case "kit":
        return this.renderKit();
      case "kit-check":
        return this.renderKitCheck();
      case "restore":
        return this.renderRestore();
      case "unlock":
        return this.renderUnlock();
      case "home":
        return this.renderHome();
      case "credentials":
        return this.renderCredentials();
      case "receive":
        return this.renderReceive();
      case "present":
        return this.renderPresent();
      case "history":
        return this.renderHistory();
      case "security":
        return this.renderSecurity();
      case "settings":
        return this.renderSettings();
    }
  }

  private renderWelcome(): TemplateResult {
    return html`<section class="panel narrow" id="screen-welcome">
      <h1 tabindex="-1">${this.tr("welcome.title")}</h1>
      <p class="lead">${this.tr("welcome.body")}</p>
      <div class="actions column">
        <button id="create-start" class="primary big" @click=${() => this.go("create")}>${this.tr("welcome.create")}</button>
        <button id="restore-start" class="secondary big" @click=${() => this.go("restore")}>${this.tr("welcome.restore")}</button>
      </div>
      <div class="field lang">
        <label for="welcome-locale">${this.tr("settings.language")}</label>
        <select id="welcome-locale" @change=${(e: Event) => this.setLocale((e.target as HTMLSelectElement).value)}>
          ${LOCALES.map((l) => html`<option value=${l.id} ?selected=${l.id === this.locale}>${l.name}</option>`)}
        </select>
      </div>
    </section>`;
  }

  private async setLocale(locale: string): Promise<void> {
    if (!isLocale(locale)) return;
    const next = { ...(this.settings ?? { ledger: { kind: "embedded" as const }, theme: "system", text_size: 1 }), locale };
    await this.act(async () => {
      this.settings = await api.setSettings(next);
      this.applySettings(this.settings);
    });
  }

  private renderCreate(): TemplateResult {
    const s = strength(this.pass);
    return html`<section class="panel narrow" id="screen-create">
      <h1 tabindex="-1">${this.tr("create.title")}</h1>
      <p>${this.tr("create.body")}</p>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.create(); }}>
        <div class="field">
          <label for="passphrase">${this.tr("create.passphrase")}</label>
          <input id="passphrase" type="password" autocomplete="new-password" required minlength="8"
            aria-describedby="strength" @input=${(e: Event) => { this.pass = (e.target as HTMLInputElement).value; this.requestUpdate(); }} />
        </div>
        <div id="strength" class="strength s${s.score}" aria-live="polite">
          <div class="meter" aria-hidden="true"><span></span><span></span><span></span><span></span></div>
          <p><strong>${this.tr("strength.label")}: <span id="strength-word">${this.tr(`strength.${s.score}`)}</span></strong>
            ${s.advice.length ? html` — ${this.tr(s.advice[0])}` : nothing}</p>
        </div>
        <div class="field">
          <label for="passphrase-repeat">${this.tr("create.repeat")}</label>
          <input id="passphrase-repeat" type="password" autocomplete="new-password" required />
        </div>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.go("welcome")}>${this.tr("common.back")}</button>
          <button id="create-submit" class="primary" type="submit" ?disabled=${this.busy || s.score === 0}>${this.tr("create.submit")}</button>
        </div>
      </form>
    </section>`;
  }

  private renderKit(): TemplateResult {
    const kit = this.kit;
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
        <input id="kit-written" type="checkbox" .checked=${this.kitWritten}
          @change=${(e: Event) => { this.kitWritten = (e.target as HTMLInputElement).checked; this.requestUpdate(); }} />
        <label for="kit-written">${this.tr("kit.written")}</label>
      </div>
      <div class="actions">
        <button id="kit-continue" class="primary" ?disabled=${!this.kitWritten} @click=${() => this.go("kit-check")}>${this.tr("kit.check")}</button>
      </div>
    </section>`;
  }

  private renderKitCheck(): TemplateResult {
    return html`<section class="panel narrow" id="screen-kit-check">
      <h1 tabindex="-1">${this.tr("kit.check")}</h1>
      <p>${this.tr("kit.check_body")}</p>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.confirmKit(); }}>
        ${CHECK_POSITIONS.map(
          (n) => html`<div class="field">
            <label for="check-word-${n}">${this.tr("kit.word_n", { n })}</label>
            <input id="check-word-${n}" autocomplete="off" autocapitalize="off" spellcheck="false" required />
          </div>`,
        )}
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.go("kit")}>${this.tr("common.back")}</button>
          <button id="kit-confirm" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("kit.confirm")}</button>
        </div>
      </form>
    </section>`;
  }

  private renderRestore(): TemplateResult {
    return html`<section class="panel narrow" id="screen-restore">
      <h1 tabindex="-1">${this.tr("restore.title")}</h1>
      <p>${this.tr("restore.body")}</p>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.restore(); }}>
        <div class="field">
          <label for="restore-file">${this.tr("restore.file")}</label>
          <input id="restore-file" required .value=${this.app ? `${this.app.backup_dir}/` : ""} />
        </div>
        <div class="field">
          <label for="restore-words">${this.tr("restore.words")}</label>
          <textarea id="restore-words" rows="4" autocomplete="off" spellcheck="false" required></textarea>
        </div>
        <div class="field">
          <label for="restore-passphrase">${this.tr("restore.passphrase")}</label>
          <input id="restore-passphrase" type="password" autocomplete="new-password" required minlength="8" />
        </div>
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.go("welcome")}>${this.tr("common.back")}</button>
          <button id="restore-submit" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("restore.submit")}</button>
        </div>
      </form>
    </section>`;
  }

  private renderUnlock(): TemplateResult {
    return html`<section class="panel narrow" id="screen-unlock">
      <h1 tabindex="-1">${this.tr("unlock.title")}</h1>
      ${this.app?.open_error ? html`<p class="alert" role="alert">${this.app.open_error}</p>` : nothing}
      <form @submit=${(e: Event) => { e.preventDefault(); void this.unlock(); }}>
        <div class="field">
          <label for="unlock-passphrase">${this.tr("unlock.passphrase")}</label>
          <input id="unlock-passphrase" type="password" autocomplete="current-password" required />
        </div>
        <div class="actions">
          <button id="unlock-submit" class="primary big" type="submit" ?disabled=${this.busy}>
            ${this.busy ? this.tr("common.working") : this.tr("unlock.submit")}
          </button>
        </div>
      </form>
    </section>`;
  }

  private renderHome(): TemplateResult {
    const s = this.status;
    const pid = this.pid;
    const claim = (path: string) => pid?.claims.find((c) => c.path === path);
    const name = [claim("given_name")?.value, claim("family_name")?.value].filter(Boolean).join(" ");
    return html`<section id="screen-home">
      <h1 tabindex="-1">${this.tr("home.title")}</h1>
      <article id="id-card" class="idcard" aria-labelledby="id-card-title">
        <h2 id="id-card-title">${pid ? typeName(pid, this.locale) : this.tr("home.card")}</h2>
        ${pid
          ? html`<div class="idcard-body">
              <div class="avatar" aria-hidden="true">${name.split(" ").map((w) => w[0]).join("")}</div>
              <dl>
                ${pid.claims
                  .filter((c) => ["given_name", "family_name", "birthdate", "nationality", "personal_number", "address.locality"].includes(c.path))
                  .map((c) => html`<div><dt>${claimLabel(c, this.locale)}</dt><dd>${formatValue(c.value, this.locale)}</dd></div>`)}
                <div><dt>${this.tr("creds.expires")}</dt><dd>${formatDate(this.locale, pid.expires)}</dd></div>
              </dl>
            </div>`
          : html`<p>${this.tr("home.no_pid")}</p>`}
      </article>
      <section class="panel" aria-labelledby="did-title">
        <h2 id="did-title">${this.tr("home.did")}</h2>
        <p id="did" class="mono">${s?.did ?? "…"}</p>
        <p id="ledger-status">
          ${s === null
            ? nothing
            : s.deactivated
              ? html`<span class="bad">${this.tr("home.deactivated")}</span>`
              : s.did_version
                ? html`<span class="good">✓ ${this.tr("home.ledger_ok", { v: s.did_version.split("-")[0] })}</span>
                    ${s.device_authorized === false ? html`<br /><span class="bad">${this.tr("home.ledger_device_no")}</span>` : html`<br />${this.tr("home.ledger_device_ok")}`}`
                : html`<span class="bad">${this.tr("home.ledger_error", { e: s.ledger_error ?? "?" })}</span>`}
        </p>
        ${s ? html`<p>${this.tr("home.counts", { c: s.credentials, h: s.history_entries })}</p>` : nothing}
      </section>
      <div class="actions">
        <button id="home-present" class="primary big" @click=${() => this.nav("present")}>${this.tr("home.show")}</button>
        <button id="home-receive" class="secondary big" @click=${() => this.nav("receive")}>${this.tr("home.receive")}</button>
      </div>
    </section>`;
  }

  private renderCredentials(): TemplateResult {
    const d = this.detail;
    return html`<section id="screen-credentials">
      <h1 tabindex="-1">${this.tr("creds.title")}</h1>
      ${this.credentials.length === 0 ? html`<p>${this.tr("creds.none")}</p>` : nothing}
      <ul class="cards" id="credential-list">
        ${this.credentials.map(
          (c) => html`<li>
            <button class="card credential-item ${d?.id === c.id ? "current" : ""}" data-id=${c.id} @click=${() => this.openDetail(c.id)}
              aria-label="${typeName(c, this.locale)}, ${this.tr("creds.issuer")} ${c.issuer}">
              <span class="card-title">${typeName(c, this.locale)}</span>
              <span class="${c.valid_now ? "good" : "bad"}">${c.valid_now ? this.tr("creds.valid") : this.tr("creds.not_valid")}</span>
              <span class="small">${this.tr("creds.issuer")}: ${shortId(c.issuer)}</span>
              <span class="small">${this.tr("creds.expires")}: ${formatDate(this.locale, c.expires)}</span>
            </button>
          </li>`,
        )}
      </ul>
      ${d ? this.renderDetail(d) : nothing}
    </section>`;
  }

  private renderDetail(d: CredentialDetails): TemplateResult {
    const st = d.status;
    const statusText =
      st.status === "other" || st.status === "unavailable"
        ? this.tr(`status.${st.status}`, { d: String(st.detail) })
        : this.tr(`status.${st.status}`);
    return html`<article id="credential-detail" class="panel">
      <h2 tabindex="-1">${typeName(d, this.locale)}</h2>
      <dl class="facts">
        <div><dt>${this.tr("creds.issuer")}</dt><dd class="mono">${d.issuer}</dd></div>
        <div><dt>${this.tr("creds.issued")}</dt><dd>${formatDate(this.locale, d.issued_at)}</dd></div>
        <div><dt>${this.tr("creds.expires")}</dt><dd>${formatDate(this.locale, d.expires)}</dd></div>
        <div><dt>${this.tr("creds.valid")}</dt><dd class=${d.valid_now ? "good" : "bad"}>${d.valid_now ? this.tr("common.yes") : `${this.tr("common.no")} ${d.validity ?? ""}`}</dd></div>
        <div><dt>${this.tr("creds.status")}</dt><dd id="credential-status" class=${st.status === "revoked" || st.status === "suspended" ? "bad" : ""}>${statusText}</dd></div>
        <div><dt>${this.tr("creds.binding")}</dt><dd>${this.tr(`binding.${d.binding.type}`)}</dd></div>
      </dl>
      <table class="claims">
        <caption>${this.tr("creds.claims")}</caption>
        <thead><tr><th scope="col">${this.tr("creds.claim")}</th><th scope="col">${this.tr("creds.value")}</th><th scope="col">${this.tr("creds.disclosure")}</th></tr></thead>
        <tbody>
          ${d.claims.map(
            (c) => html`<tr>
              <th scope="row">${claimLabel(c, this.locale)}</th>
              <td>${formatValue(c.value, this.locale)}</td>
              <td>${c.selectively_disclosable ? this.tr("creds.sd") : html`<strong>${this.tr("creds.always")}</strong>`}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="actions">
        <button class="danger" id="credential-delete" @click=${() => this.deleteCredential(d.id)}>${this.tr("creds.delete")}</button>
      </div>
    </article>`;
  }

  private async deleteCredential(id: string): Promise<void> {
    if (!window.confirm(this.tr("creds.delete_confirm"))) return;
    await this.act(async () => {
      await api.deleteCredential(id);
      await this.openCredentials();
    });
  }

  private renderReceive(): TemplateResult {
    return html`<section id="screen-receive">
      <h1 tabindex="-1">${this.tr("receive.title")}</h1>
      <section class="panel">
        <h2>${this.tr("receive.demo")}</h2>
        <p>${this.tr("receive.demo_body")}</p>
        <button id="demo-credentials" class="primary" ?disabled=${this.busy} @click=${() => this.demo()}>${this.tr("receive.demo")}</button>
      </section>
      <section class="panel drop" @dragover=${(e: DragEvent) => e.preventDefault()}
        @drop=${(e: DragEvent) => { e.preventDefault(); const f = e.dataTransfer?.files[0]; if (f) void this.receiveFile(f); }}>
        <h2>${this.tr("receive.paste")}</h2>
        <form @submit=${(e: Event) => { e.preventDefault(); void this.receiveText(val("receive-text")); }}>
          <div class="field">
            <label for="receive-text">${this.tr("receive.paste_label")}</label>
            <textarea id="receive-text" rows="4" spellcheck="false" required></textarea>
          </div>
          <div class="actions">
            <button id="receive-submit" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("receive.add")}</button>
            <input id="receive-image" class="file-input" type="file" accept="image/png,image/jpeg,.txt,.jwt,.sdjwt"
              @change=${(e: Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void this.receiveFile(f); }} />
            <label class="button secondary" for="receive-image">${this.tr("receive.image")}</label>
          </div>
        </form>
        <p class="small">${this.tr("receive.drop")}</p>
      </section>
      <section class="panel">
        <h2>${this.tr("receive.key")}</h2>
        <p>${this.tr("receive.key_body")}</p>
        <label class="visually-hidden" for="holder-key">${this.tr("receive.key")}</label>
        <textarea id="holder-key" class="mono" rows="3" readonly .value=${this.holderKey ?? ""}></textarea>
      </section>
    </section>`;
  }

  private renderPresent(): TemplateResult {
    if (this.proof) return this.renderProof(this.proof);
    if (this.consentView && this.consent) return this.renderConsent(this.consentView, this.consent);
    return html`<section id="screen-present" class="panel">
      <h1 tabindex="-1">${this.tr("present.title")}</h1>
      <p>${this.tr("present.body")}</p>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.openRequest(val("request-text")); }}>
        <div class="field">
          <label for="request-text">${this.tr("present.request")}</label>
          <textarea id="request-text" rows="4" spellcheck="false" required></textarea>
        </div>
        <div class="actions">
          <button id="request-open" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("present.open")}</button>
          <input id="request-image" class="file-input" type="file" accept="image/png,image/jpeg"
            @change=${(e: Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void this.openRequest(f); }} />
          <label class="button secondary" for="request-image">${this.tr("present.image")}</label>
        </div>
      </form>
    </section>`;
  }

  private renderConsent(v: ConsentView, c: ConsentState): TemplateResult {
    const required = c.rows.filter((r) => r.required);
    const optional = c.rows.filter((r) => !r.required);
    return html`<section id="consent" class="panel">
      <h1 class="visually-hidden">${this.tr("present.title")}</h1>
      <h2 tabindex="-1">${this.tr("consent.title")}</h2>
      <dl class="facts">
        <div><dt>${this.tr("consent.counter")}</dt><dd id="consent-counter" class="mono">${v.counter}</dd></div>
        <div><dt>${this.tr("consent.from")}</dt><dd>${typeName(v, this.locale)}</dd></div>
      </dl>
      ${v.warnings.map((w) => html`<p class="alert" role="alert">${w}</p>`)}
      ${v.missing_required.length
        ? html`<p class="alert" role="alert">${this.tr("consent.missing", { m: v.missing_required.join(", ") })}</p>`
        : nothing}
      <h3>${this.tr("consent.required")}</h3>
      <ul id="consent-required" class="claims-list">
        ${required.map((r) => html`<li data-path=${r.path}><span class="label">${r.label}</span> <span class="value">${r.value}</span></li>`)}
      </ul>
      ${optional.length
        ? html`<fieldset>
            <legend>${this.tr("consent.optional")}</legend>
            ${optional.map(
              (r) => html`<div class="check">
                <input type="checkbox" class="optional-claim" id="opt-${r.path}" data-path=${r.path} .checked=${r.shared}
                  @change=${() => { this.consent = toggle(c, r.path); this.requestUpdate(); }} />
                <label for="opt-${r.path}">${this.tr("consent.share", { label: r.label })}: <span class="value">${r.value}</span></label>
              </div>`,
            )}
          </fieldset>`
        : nothing}
      <p class="small">${this.tr("consent.always")}</p>
      <p><strong>${this.tr("consent.nothing_else")}</strong></p>
      <p id="consent-summary" class="visually-hidden">${willDisclose(c).map((r) => r.path).join(",")}</p>
      <div class="actions">
        <button id="consent-decline" class="secondary" @click=${() => this.nav("present")}>${this.tr("consent.decline")}</button>
        <button id="consent-approve" class="primary big" ?disabled=${!c.canPresent || this.busy} @click=${() => this.approve()}>${this.tr("consent.approve")}</button>
      </div>
    </section>`;
  }

  private proofIndex = 0;
  private proofLabels: string[] = [];
  private proofTimer: number | undefined;

  /** A proof too large for one code is a short sequence: show one code at a time,
   * large, moving on by itself every few seconds (a counter's scanner reads them in
   * any order), or with the buttons. */
  private startProofCycle(): void {
    this.stopProofCycle();
    this.proofIndex = 0;
    if ((this.proof?.codes.length ?? 0) > 1) {
      this.proofTimer = window.setInterval(() => this.stepProof(1), 3000);
    }
  }

  private stopProofCycle(): void {
    if (this.proofTimer !== undefined) window.clearInterval(this.proofTimer);
    this.proofTimer = undefined;
  }

  private stepProof(by: number): void {
    const n = this.proof?.codes.length ?? 0;
    if (n === 0 || this.screen !== "present") {
      this.stopProofCycle();
      return;
    }
    this.proofIndex = (this.proofIndex + by + n) % n;
    this.requestUpdate();
  }

  private renderProof(p: Proof): TemplateResult {
    const labels = (this.proofLabels.length === p.disclosed.length ? this.proofLabels : p.disclosed).join(", ");
    const i = Math.min(this.proofIndex, p.codes.length - 1);
    const code = p.codes[i];
    const many = p.codes.length > 1;
    return html`<section id="proof" class="proof">
      <h1 class="visually-hidden">${this.tr("present.title")}</h1>
      <h2 tabindex="-1">${this.tr("proof.title")}</h2>
      <p>${this.tr("proof.body")}</p>
      <figure>
        <img id="proof-qr" class="qr" data-part=${i + 1} data-parts=${p.codes.length} src=${svgUrl(code.svg)} alt=${this.tr("proof.alt")} />
        ${many ? html`<figcaption id="proof-part" aria-live="polite">${this.tr("proof.part", { i: i + 1, n: p.codes.length })}</figcaption>` : nothing}
      </figure>
      <p id="proof-disclosed">${this.tr("proof.shared", { list: labels })}</p>
      <div class="actions">
        ${many
          ? html`<button id="proof-prev" class="secondary" @click=${() => this.stepProof(-1)}>${this.tr("proof.prev")}</button>
              <button id="proof-next" class="secondary" @click=${() => this.stepProof(1)}>${this.tr("proof.next")}</button>`
          : nothing}
        ${p.can_send ? html`<button id="proof-send" class="secondary" ?disabled=${this.busy} @click=${() => this.sendOnline()}>${this.tr("proof.send")}</button>` : nothing}
        <button id="proof-done" class="primary" @click=${() => { this.stopProofCycle(); void this.openHistory(); }}>${this.tr("common.done")}</button>
      </div>
    </section>`;
  }

  private renderHistory(): TemplateResult {
    return html`<section id="screen-history">
      <h1 tabindex="-1">${this.tr("history.title")}</h1>
      <p>${this.tr("history.body")}</p>
      <div class="actions">
        <button id="history-check" class="secondary" ?disabled=${this.busy} @click=${() => this.checkHistory()}>${this.tr("history.check")}</button>
      </div>
      ${this.historyItems.length === 0 ? html`<p>${this.tr("history.none")}</p>` : nothing}
      <ol id="history-list" class="history" reversed>
        ${[...this.historyItems].reverse().map(
          (h) => html`<li class="history-item ev-${h.event}" data-seq=${h.seq}>
            <time datetime=${new Date(h.time * 1000).toISOString()}>${formatDate(this.locale, h.time, true)}</time>
            <span class="what">${describeEvent(h, this.locale)}</span>
            ${h.receipt ? html`<span class="badge">${this.tr("history.receipt")}</span>` : nothing}
          </li>`,
        )}
      </ol>
    </section>`;
  }

  private renderSecurity(): TemplateResult {
    const s = this.status;
    const idle = s?.idle_timeout ?? 300;
    return html`<section id="screen-security">
      <h1 tabindex="-1">${this.tr("security.title")}</h1>
      <section class="panel">
        <h2>${this.tr("security.lock")}</h2>
        <p>${this.tr("security.lock_body")}</p>
        <div class="actions">
          <button id="security-lock" class="primary" @click=${() => this.lockNow()}>${this.tr("security.lock")}</button>
        </div>
        <div class="field inline">
          <label for="autolock">${this.tr("security.autolock")}</label>
          <select id="autolock" @change=${(e: Event) => this.act(async () => { await api.setAutoLock(Number((e.target as HTMLSelectElement).value)); this.notice = this.tr("security.saved"); })}>
            ${[1, 2, 5, 15, 30].map((m) => html`<option value=${m * 60} ?selected=${idle === m * 60}>${this.tr("security.minutes", { n: m })}</option>`)}
          </select>
        </div>
      </section>
      <section class="panel">
        <h2>${this.tr("security.change")}</h2>
        <form @submit=${(e: Event) => { e.preventDefault(); void this.act(async () => { try { await api.changePassphrase(val("current-passphrase"), val("new-passphrase")); this.notice = this.tr("security.changed"); } finally { clear("current-passphrase", "new-passphrase"); } }); }}>
          <div class="field"><label for="current-passphrase">${this.tr("security.current")}</label>
            <input id="current-passphrase" type="password" autocomplete="current-password" required /></div>
          <div class="field"><label for="new-passphrase">${this.tr("security.new")}</label>
            <input id="new-passphrase" type="password" autocomplete="new-password" required minlength="8" /></div>
          <div class="actions"><button id="change-submit" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("security.change")}</button></div>
        </form>
      </section>
      <section class="panel">
        <h2>${this.tr("security.backup")}</h2>
        <p>${this.tr("security.backup_body")}</p>
        <p>${this.tr("security.last_backup", { when: s?.last_backup ? formatDate(this.locale, s.last_backup, true) : this.tr("security.never") })}</p>
        <div class="field"><label for="backup-path">${this.tr("security.backup_path")}</label>
          <input id="backup-path" placeholder=${this.app?.backup_dir ?? ""} /></div>
        <div class="actions"><button id="backup-submit" class="primary" ?disabled=${this.busy}
          @click=${() => this.act(async () => { const [, path] = await api.backup(val("backup-path").trim() || null); this.notice = this.tr("security.backup_done", { path }); this.status = await api.identity(); })}>${this.tr("security.backup_now")}</button></div>
      </section>
      <section class="panel">
        <h2>${this.tr("security.lost")}</h2>
        <p>${this.tr("security.lost_body")}</p>
        <div class="field"><label for="rotate-words">${this.tr("security.words")}</label>
          <textarea id="rotate-words" rows="3" autocomplete="off" spellcheck="false"></textarea></div>
        <div class="actions"><button id="rotate-submit" class="primary" ?disabled=${this.busy}
          @click=${() => this.act(async () => { try { const r = await api.rotateKeys(val("rotate-words")); this.notice = this.tr("security.rotated", { v: r.version.split("-")[0] }); } finally { clear("rotate-words"); } })}>${this.tr("security.rotate")}</button></div>
      </section>
      <section class="panel danger-zone">
        <h2>${this.tr("security.deactivate")}</h2>
        <p>${this.tr("security.deactivate_body")}</p>
        <div class="field"><label for="deactivate-words">${this.tr("security.words")}</label>
          <textarea id="deactivate-words" rows="3" autocomplete="off" spellcheck="false"></textarea></div>
        <div class="check"><input id="deactivate-sure" type="checkbox" .checked=${this.deactivateSure}
          @change=${(e: Event) => { this.deactivateSure = (e.target as HTMLInputElement).checked; this.requestUpdate(); }} />
          <label for="deactivate-sure">${this.tr("security.deactivate_sure")}</label></div>
        <div class="actions"><button id="deactivate-submit" class="danger" ?disabled=${this.busy || !this.deactivateSure}
          @click=${() => this.act(async () => { try { await api.deactivate(val("deactivate-words")); this.notice = this.tr("security.deactivated"); } finally { clear("deactivate-words"); } })}>${this.tr("security.deactivate")}</button></div>
      </section>
    </section>`;
  }

  private renderSettings(): TemplateResult {
    const s = this.settings ?? { ledger: { kind: "embedded" as const }, locale: this.locale, theme: "system", text_size: 1 };
    const node = s.ledger.kind === "node";
    return html`<section id="screen-settings" class="panel">
      <h1 tabindex="-1">${this.tr("settings.title")}</h1>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.saveSettings(); }}>
        <fieldset>
          <legend>${this.tr("settings.ledger")}</legend>
          <div class="check"><input type="radio" name="ledger-kind" id="ledger-embedded" value="embedded" ?checked=${!node} />
            <label for="ledger-embedded">${this.tr("settings.embedded")}</label></div>
          <div class="field indent"><label for="ledger-path">${this.tr("settings.embedded_path")}</label>
            <input id="ledger-path" .value=${s.ledger.kind === "embedded" ? (s.ledger.path ?? "") : ""} /></div>
          <div class="check"><input type="radio" name="ledger-kind" id="ledger-node" value="node" ?checked=${node} />
            <label for="ledger-node">${this.tr("settings.node")}</label></div>
          <div class="field indent"><label for="ledger-url">${this.tr("settings.node_url")}</label>
            <input id="ledger-url" type="url" .value=${s.ledger.kind === "node" ? s.ledger.url : ""} /></div>
        </fieldset>
        <div class="field"><label for="locale">${this.tr("settings.language")}</label>
          <select id="locale">${LOCALES.map((l) => html`<option value=${l.id} ?selected=${l.id === s.locale}>${l.name}</option>`)}</select></div>
        <div class="field"><label for="theme">${this.tr("settings.theme")}</label>
          <select id="theme">${["system", "light", "dark", "contrast"].map((th) => html`<option value=${th} ?selected=${th === s.theme}>${this.tr(`theme.${th}`)}</option>`)}</select></div>
        <div class="field"><label for="text-size">${this.tr("settings.text_size")}</label>
          <select id="text-size">${[1, 1.25, 1.5].map((z) => html`<option value=${z} ?selected=${z === s.text_size}>${this.tr(`size.${z}`)}</option>`)}</select></div>
        <div class="actions"><button id="settings-save" class="primary" type="submit" ?disabled=${this.busy}>${this.tr("settings.save")}</button></div>
      </form>
    </section>`;
  }
}

customElements.define("civitas-app", CivitasApp);
