// The session store: the one owner of the app's session state. Screens read
// `store.state` and call its actions; nothing else changes the state. Every change goes
// through `set`, which notifies the subscribers (each screen's `StoreController`
// re-renders its element), so no screen calls `requestUpdate()` itself.
//
// Every action goes through `act`, which shows the "working" state, catches the
// {code, message} error and puts it in `state.error` (the screen's alert region).
//
// Presentation flow (see README.md, "Who owns what"): Rust owns the counter's request,
// the consent and the presentation (src-tauri/src/state.rs). The store keeps only what
// the screens show, as the commands returned it: the `ConsentView` of `open_request`
// and the `Proof` of `present`. The citizen's unsent choices (which optional claims to
// leave out) live in the consent screen until they are sent with `present`.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type {
  Accepted,
  Api,
  AppStatus,
  ConsentView,
  CredentialDetails,
  CredentialSummary,
  FetchOutcome,
  HistoryView,
  OfferPreview,
  PendingIssuance,
  Problem,
  Proof,
  Received,
  RecoveryKit,
  Settings,
  Status,
  WordCheck,
} from "./api";
import { describeError } from "./errors";
import { describeProblem } from "./history";
import { checkSummary } from "./pending";
import { isServiceRecord } from "./services";
import { type Locale, isLocale, t } from "./i18n";

/** Every screen the app shows. */
export type Screen =
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

/** The screens shown before the wallet is open (no menu, no lock button). */
export const OUTSIDE_SCREENS: readonly Screen[] = ["loading", "welcome", "create", "kit", "kit-check", "restore", "unlock"];

/** The positions of the words the citizen types back from the recovery kit. */
export const CHECK_POSITIONS = [3, 11, 20];

/** Settings used before the wallet's settings are read. */
export function defaultSettings(locale: Locale): Settings {
  return { ledger: { kind: "embedded" }, locale, theme: "system", text_size: 1, trusted_roots: [] };
}

/** Everything the app shows between commands. */
export interface SessionState {
  /** The screen shown. */
  screen: Screen;
  /** Counts navigations: each one shows a fresh screen element (empty form fields,
   * the focus on its heading), as a page load would. */
  visits: number;
  /** An action is running. */
  busy: boolean;
  /** The alert shown (a failed action). */
  error: string | null;
  /** The status line shown (a finished action). */
  notice: string | null;
  locale: Locale;
  app: AppStatus | null;
  settings: Settings | null;
  status: Status | null;
  credentials: CredentialSummary[];
  /** The personal ID shown on the home screen. */
  pid: CredentialDetails | null;
  /** The credential opened on the credentials screen. */
  detail: CredentialDetails | null;
  kit: RecoveryKit | null;
  /** The citizen ticked "I wrote it down". */
  kitWritten: boolean;
  /** The counter's request as `open_request` described it (Rust holds the request). */
  request: ConsentView | null;
  /** The proof as `present` returned it (Rust holds the presentation). */
  proof: Proof | null;
  history: HistoryView[];
  holderKey: string | null;
  /** The issuer's offer as `preview_offer` described it (Rust holds the offer and
   * its pre-authorized code); the Receive screen shows it and asks for the PIN. */
  offer: OfferPreview | null;
  /** What `accept_offer` gave (stored, or pending), shown with the offer's names. */
  offerResult: Accepted | null;
  /** The credentials the wallet waits for (deferred by their issuer), oldest first. */
  pending: PendingIssuance[];
  /** What the last check of the pending credentials gave (null: none yet). */
  checked: FetchOutcome[] | null;
  /** The service records held, in full (the History screen's services table). */
  services: CredentialDetails[];
}

function initialState(): SessionState {
  return {
    screen: "loading",
    visits: 0,
    busy: false,
    error: null,
    notice: null,
    locale: "en-US",
    app: null,
    settings: null,
    status: null,
    credentials: [],
    pid: null,
    detail: null,
    kit: null,
    kitWritten: false,
    request: null,
    proof: null,
    history: [],
    holderKey: null,
    offer: null,
    offerResult: null,
    pending: [],
    checked: null,
    services: [],
  };
}

/** What is forgotten when the wallet locks. */
const SESSION_CLEARED: Partial<SessionState> = {
  status: null,
  credentials: [],
  pid: null,
  detail: null,
  request: null,
  proof: null,
  history: [],
  holderKey: null,
  offer: null,
  offerResult: null,
  pending: [],
  checked: null,
  services: [],
};

async function fileBytes(file: Blob): Promise<number[]> {
  return Array.from(new Uint8Array(await file.arrayBuffer()));
}

/** The session store. */
export class Store {
  private current: SessionState = initialState();
  private readonly listeners = new Set<() => void>();
  /** How many `act`s are running inside each other. */
  private depth = 0;

  constructor(private readonly api: Api) {}

  /** The state, read-only: change it through the actions. */
  get state(): Readonly<SessionState> {
    return this.current;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<SessionState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener();
  }

  private tr(key: string, params: Record<string, string | number> = {}): string {
    return t(this.current.locale, key, params);
  }

  private tampered(problems: Problem[]): string {
    return `${this.tr("history.tampered")} ${problems.map((x) => describeProblem(x, this.current.locale)).join(" ")}`;
  }

  // ---- the frame: navigation, errors, the busy state ---------------------------

  /** Shows `screen` (and clears the alert). */
  go(screen: Screen): void {
    this.set({ screen, error: null, visits: this.current.visits + 1 });
  }

  /** Shows an alert that is not an error from Rust (a form check): the i18n `key`. */
  showAlert(key: string, params: Record<string, string | number> = {}): void {
    this.set({ error: this.tr(key, params) });
  }

  private showError(e: unknown): void {
    const d = describeError(e, this.current.locale);
    if (d.needsUnlock) this.set({ ...SESSION_CLEARED, screen: "unlock", error: d.text });
    else this.set({ error: d.text });
  }

  /** Runs an action with the busy state and error display; true if it finished.
   * Nested calls (an action that opens another screen) run inside the outer one,
   * whose handler shows the error. */
  async act(f: () => Promise<void>): Promise<boolean> {
    const outer = this.depth === 0;
    if (outer && this.current.busy) return false;
    this.depth += 1;
    this.set(outer ? { busy: true, error: null, notice: null } : { busy: true });
    try {
      await f();
      return true;
    } catch (e) {
      if (!outer) throw e;
      this.showError(e);
      return false;
    } finally {
      this.depth -= 1;
      if (this.depth === 0) this.set({ busy: false });
    }
  }

  // ---- start, lock ---------------------------------------------------------------

  /** Reads the settings and the wallet's state, and shows the first screen. */
  async start(): Promise<void> {
    try {
      this.applySettings(await this.api.getSettings());
    } catch {
      // Defaults.
    }
    await this.refreshAppState();
  }

  private applySettings(settings: Settings): void {
    this.set({ settings, locale: isLocale(settings.locale) ? settings.locale : this.current.locale });
  }

  private async refreshAppState(): Promise<void> {
    let app: AppStatus;
    try {
      app = await this.api.appState();
    } catch (e) {
      this.showError(e);
      return;
    }
    this.set({ app });
    if (!app.has_wallet) this.go("welcome");
    else if (app.recovery_pending && app.unlocked) await this.openKit();
    else if (!app.unlocked) this.go("unlock");
    else await this.openHome();
  }

  /** The wallet locked itself (the Rust side's `locked` event). */
  locked(): void {
    this.set({ ...SESSION_CLEARED, notice: this.tr("unlock.idle") });
    this.go("unlock");
  }

  /** Locks the wallet now. */
  async lockNow(): Promise<boolean> {
    return this.act(async () => {
      await this.api.lock();
      this.set(SESSION_CLEARED);
      this.go("unlock");
    });
  }

  // ---- navigation targets -------------------------------------------------------

  /** A menu entry: the screen, with what it shows read afresh. */
  async nav(screen: Screen): Promise<void> {
    this.set({ notice: null });
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
        this.set({ request: null, proof: null });
        return this.go("present");
      default:
        return this.go(screen);
    }
  }

  private async openHome(): Promise<void> {
    this.go("home");
    await this.act(async () => {
      const status = await this.api.identity();
      const credentials = await this.api.listCredentials();
      const pid = credentials.find((c) => c.vct.includes("/pid/"));
      this.set({ status, credentials, pid: pid ? await this.api.credentialDetails(pid.id) : null });
      // The app asks the issuers for what it waits for when it opens or unlocks
      // (only what is due: the issuer said when to ask again).
      await this.askPending(false);
    });
  }

  private async openCredentials(): Promise<void> {
    this.set({ detail: null, checked: null });
    this.go("credentials");
    await this.act(async () => {
      this.set({ credentials: await this.api.listCredentials(), pending: await this.api.pendingCredentials() });
    });
  }

  /** Asks the issuers for the pending credentials (all of them with `force`), then
   * reads the lists again. What arrived is a status line; what will not come (refused,
   * expired) or could not be asked is an alert, in plain words. A check of nothing
   * due, when the app opens, says nothing. */
  private async askPending(force: boolean): Promise<void> {
    const waiting = await this.api.pendingCredentials();
    if (waiting.length === 0) {
      this.set({ pending: [] });
      if (!force) return;
    }
    const outcomes = waiting.length === 0 ? [] : await this.api.fetchPending(force);
    if (outcomes.length === 0 && !force) {
      this.set({ pending: waiting });
      return;
    }
    // The check the app makes by itself says only what changed (arrived, or will not
    // come); "not yet" and "could not ask" are said when the citizen asked.
    const told = force ? outcomes : outcomes.filter((o) => o.outcome === "received" || o.outcome === "ended");
    const { notice, alert } = checkSummary(told, this.current.locale);
    const patch: Partial<SessionState> =
      force || told.length ? { checked: told, notice, error: alert } : { checked: told };
    patch.pending = await this.api.pendingCredentials();
    if (outcomes.some((o) => o.outcome === "received")) {
      patch.credentials = await this.api.listCredentials();
    }
    this.set(patch);
  }

  /** "Check now": asks the issuers for every pending credential. */
  async checkPending(): Promise<boolean> {
    return this.act(async () => {
      await this.askPending(true);
    });
  }

  /** Opens one credential's details on the credentials screen. */
  async openDetail(id: string): Promise<boolean> {
    return this.act(async () => {
      this.set({ detail: await this.api.credentialDetails(id) });
    });
  }

  private async openReceive(): Promise<void> {
    this.set({ offer: null, offerResult: null });
    this.go("receive");
    await this.act(async () => {
      const k = await this.api.holderKey();
      this.set({ holderKey: JSON.stringify(k.jwk) });
    });
  }

  /** The history screen. */
  async openHistory(): Promise<void> {
    this.go("history");
    await this.act(async () => {
      const history = await this.api.history();
      const records = (await this.api.listCredentials()).filter(isServiceRecord);
      const services: CredentialDetails[] = [];
      for (const r of records) services.push(await this.api.credentialDetails(r.id));
      this.set({ history, services });
    });
  }

  private async openSecurity(): Promise<void> {
    this.go("security");
    await this.act(async () => {
      this.set({ status: await this.api.identity() });
    });
  }

  private async openKit(): Promise<void> {
    await this.act(async () => {
      this.set({ kit: await this.api.recoveryKit(), kitWritten: false });
      this.go("kit");
    });
  }

  // ---- onboarding ---------------------------------------------------------------

  /** Creates the wallet and shows its recovery kit. */
  async create(passphrase: string, repeat: string): Promise<boolean> {
    if (passphrase !== repeat) {
      this.showAlert("create.mismatch");
      return false;
    }
    return this.act(async () => {
      this.set({ notice: this.tr("create.creating") });
      await this.api.createWallet(passphrase);
      this.set({ notice: null, kit: await this.api.recoveryKit(), kitWritten: false });
      this.go("kit");
    });
  }

  /** The citizen ticked (or unticked) "I wrote it down". */
  setKitWritten(written: boolean): void {
    this.set({ kitWritten: written });
  }

  /** Checks the words typed back; on success the words leave the web view for good. */
  async confirmKit(answers: WordCheck[]): Promise<boolean> {
    return this.act(async () => {
      await this.api.confirmRecovery(answers);
      this.set({ kit: null });
      await this.openHome();
    });
  }

  /** Restores a wallet from a backup file and its recovery words. */
  async restore(file: string, words: string, passphrase: string): Promise<boolean> {
    return this.act(async () => {
      const report = await this.api.restoreWallet(file.trim(), words, passphrase);
      await this.openHome();
      this.set({ notice: this.tr("restore.done", { n: report.credentials }) });
    });
  }

  /** Unlocks the wallet; a tampered history shows as an alert on the home screen. */
  async unlock(passphrase: string): Promise<boolean> {
    return this.act(async () => {
      const integrity = await this.api.unlock(passphrase);
      await this.openHome();
      if (integrity.problems.length > 0) this.set({ error: this.tampered(integrity.problems) });
    });
  }

  // ---- credentials ----------------------------------------------------------------

  private gotNotice(r: Received): string {
    return this.tr("receive.got", { name: r.type_name ?? r.vct, issuer: r.issuer });
  }

  /** Adds a credential pasted (or read from a text file). */
  async receiveText(text: string): Promise<boolean> {
    return this.act(async () => {
      const r = await this.api.receiveCredential(text);
      this.set({ notice: this.gotNotice(r) });
    });
  }

  /** Adds a credential from a picture of its QR code. */
  async receiveImage(image: Blob): Promise<boolean> {
    return this.act(async () => {
      const r = await this.api.receiveQrImage(await fileBytes(image));
      this.set({ notice: this.gotNotice(r) });
    });
  }

  /** Gets the bundled demo issuer's credentials. */
  async demo(): Promise<boolean> {
    return this.act(async () => {
      const got = await this.api.demoCredentials();
      this.set({ notice: got.map((r) => this.gotNotice(r)).join(" ") });
    });
  }

  // ---- receiving from an issuer (OpenID4VCI) ---------------------------------

  /** Reads an issuer's offer (a pasted link or a picture of its QR code) and shows
   * who offers what; only the issuer's metadata is fetched, nothing is sent. */
  async previewOffer(offer: string | Blob): Promise<boolean> {
    return this.act(async () => {
      const preview =
        typeof offer === "string"
          ? await this.api.previewOffer(offer.trim())
          : await this.api.previewOfferImage(await fileBytes(offer));
      this.set({ offer: preview, offerResult: null });
      this.go("receive");
    });
  }

  /** Sends the PIN: the credential is obtained, checked and stored (or the issuer
   * will deliver it later). A refusal stays on the offer screen, in plain words. */
  async acceptOffer(pin: string): Promise<boolean> {
    return this.act(async () => {
      const result = await this.api.acceptOffer(pin);
      this.set({ offerResult: result });
      this.go("receive");
    });
  }

  /** Leaves the offer (or its result) for the Receive screen. */
  async closeOffer(): Promise<void> {
    await this.nav("receive");
  }

  /** Deletes a credential (the screen asked the citizen first). */
  async deleteCredential(id: string): Promise<boolean> {
    return this.act(async () => {
      await this.api.deleteCredential(id);
      await this.openCredentials();
    });
  }

  // ---- presenting -----------------------------------------------------------------

  /** Opens a counter's request (its URL, or a picture of its QR code): Rust keeps the
   * request and the consent; the store keeps the view of it. */
  async openRequest(request: string | Blob): Promise<boolean> {
    return this.act(async () => {
      const view =
        typeof request === "string"
          ? await this.api.openRequest(request.trim())
          : await this.api.openRequestImage(await fileBytes(request));
      this.set({ request: view, proof: null });
    });
  }

  /** Makes the presentation, without the optional claims in `dropped`. */
  async present(dropped: string[]): Promise<boolean> {
    if (!this.current.request) return false;
    return this.act(async () => {
      this.set({ proof: await this.api.present(dropped) });
    });
  }

  /** Sends the last presentation to the counter online. */
  async sendOnline(): Promise<boolean> {
    return this.act(async () => {
      const r = await this.api.sendOnline();
      const notice = r.receipt_refused
        ? this.tr("proof.sent_receipt_refused", { code: r.receipt_refused })
        : this.tr(r.receipt ? "proof.sent_receipt" : "proof.sent");
      this.set({ notice });
    });
  }

  // ---- history ----------------------------------------------------------------------

  /** Checks the history's hash chain. */
  async checkHistory(): Promise<boolean> {
    return this.act(async () => {
      const r = await this.api.verifyHistory();
      if (r.problems.length === 0) this.set({ notice: this.tr("history.intact", { n: r.history_entries }) });
      else this.set({ error: this.tampered(r.problems) });
    });
  }

  // ---- security -----------------------------------------------------------------------

  /** Sets the idle time after which the wallet locks itself. */
  async setAutoLock(seconds: number): Promise<boolean> {
    return this.act(async () => {
      await this.api.setAutoLock(seconds);
      this.set({ notice: this.tr("security.saved") });
    });
  }

  /** Changes the passphrase. */
  async changePassphrase(current: string, next: string): Promise<boolean> {
    return this.act(async () => {
      await this.api.changePassphrase(current, next);
      this.set({ notice: this.tr("security.changed") });
    });
  }

  /** Writes a backup (to `path`, or the default directory when empty). */
  async backup(path: string): Promise<boolean> {
    return this.act(async () => {
      const [, written] = await this.api.backup(path.trim() || null);
      this.set({ notice: this.tr("security.backup_done", { path: written }) });
      this.set({ status: await this.api.identity() });
    });
  }

  /** Rotates the keys with the recovery words (a lost device). */
  async rotateKeys(words: string): Promise<boolean> {
    return this.act(async () => {
      const r = await this.api.rotateKeys(words);
      this.set({ notice: this.tr("security.rotated", { v: r.version.split("-")[0] }) });
    });
  }

  /** Deactivates the identity for good. */
  async deactivate(words: string): Promise<boolean> {
    return this.act(async () => {
      await this.api.deactivate(words);
      this.set({ notice: this.tr("security.deactivated") });
    });
  }

  // ---- settings -------------------------------------------------------------------------

  /** Changes the language (from the welcome screen). */
  async setLocale(locale: string): Promise<boolean> {
    if (!isLocale(locale)) return false;
    const next = { ...(this.current.settings ?? defaultSettings(locale)), locale };
    return this.act(async () => {
      this.applySettings(await this.api.setSettings(next));
    });
  }

  /** Saves the list of trusted root authorities (at once: the Add and Remove buttons
   * of Settings → "Issuers trusted by"); the other settings stay as saved. */
  async saveRoots(roots: string[]): Promise<boolean> {
    const base = this.current.settings ?? defaultSettings(this.current.locale);
    return this.act(async () => {
      this.applySettings(await this.api.setSettings({ ...base, trusted_roots: roots }));
      this.set({ notice: this.tr("roots.saved", { n: roots.length }) });
    });
  }

  /** Saves the settings; a new ledger may need the wallet unlocked again. */
  async saveSettings(next: Settings): Promise<boolean> {
    return this.act(async () => {
      this.applySettings(await this.api.setSettings(next));
      this.set({ notice: this.tr("settings.saved") });
      const app = await this.api.appState();
      this.set({ app });
      if (!app.unlocked && app.has_wallet) this.go("unlock");
    });
  }
}

/** Re-renders its host whenever the store changes: the one place that asks Lit for an
 * update. */
export class StoreController implements ReactiveController {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly store: Store,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.unsubscribe = this.store.subscribe(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
