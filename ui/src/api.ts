// The Rust commands, typed. Every call goes through `call`, which turns a rejected
// promise into an AppError ({code, message}, as src-tauri/src/error.rs serializes it).
import { invoke } from "@tauri-apps/api/core";
import { type AppError, toAppError } from "./errors";

export interface AppStatus {
  has_wallet: boolean;
  unlocked: boolean;
  recovery_pending: boolean;
  open_error: string | null;
  wallet_dir: string;
  backup_dir: string;
}

export interface Status {
  did: string;
  ledger_host: string | null;
  holder_key: string;
  key_store: string;
  credentials: number;
  history_entries: number;
  kdf: string;
  idle_timeout: number;
  did_version: string | null;
  deactivated: boolean;
  device_authorized: boolean | null;
  ledger_error: string | null;
  last_backup: number | null;
  vault_bytes: number;
}

export type Binding =
  | { type: "did"; kid: string }
  | { type: "device-key" }
  | { type: "old-device-key" }
  | { type: "foreign" };

export interface CredentialSummary {
  id: string;
  vct: string;
  type_name: string | null;
  type_name_zh: string | null;
  issuer: string;
  issued_at: number | null;
  expires: number | null;
  received: number;
  valid_now: boolean;
  binding: Binding;
}

export interface ClaimView {
  path: string;
  label: string | null;
  label_zh: string | null;
  value: unknown;
  selectively_disclosable: boolean;
}

export type CredentialStatus =
  | { status: "not-tracked" | "valid" | "revoked" | "suspended" }
  | { status: "other"; detail: number }
  | { status: "unavailable"; detail: string };

export interface CredentialDetails extends CredentialSummary {
  not_before: number | null;
  validity: string | null;
  status: CredentialStatus;
  claims: ClaimView[];
}

export interface Received {
  id: string;
  vct: string;
  type_name: string | null;
  issuer: string;
  accredited_as: string[];
  binding: Binding;
}

export interface ConsentClaim {
  path: string;
  label: string | null;
  label_zh: string | null;
  value: unknown;
}

export interface ConsentView {
  counter: string;
  response_host: string | null;
  request: { nonce: string; aud: string; vct: string; required: string[]; optional: string[] };
  credential: string;
  vct: string;
  type_name: string | null;
  type_name_zh: string | null;
  issuer: string;
  required: ConsentClaim[];
  optional: ConsentClaim[];
  missing_required: string[];
  missing_optional: string[];
  always_visible: string[];
  alternatives: string[];
  warnings: string[];
}

export interface Proof {
  codes: { svg: string; version: number; ecc: string }[];
  disclosed: string[];
  history: number;
  can_send: boolean;
}

export interface HistoryItem {
  seq: number;
  time: number;
  event: string;
  prev: string;
  hash: string;
  receipt?: string;
  [field: string]: unknown;
}

export interface Problem {
  problem: string;
  [field: string]: unknown;
}

export interface IntegrityReport {
  history_entries: number;
  problems: Problem[];
}

export interface RestoreReport {
  did: string;
  credentials: number;
  bound_to_old_device: number;
  history_entries: number;
  integrity: IntegrityReport;
  holder_key: string;
}

export interface BackupInfo {
  credentials: number;
  history_entries: number;
  bytes: number;
}

export type LedgerChoice = { kind: "embedded"; path?: string } | { kind: "node"; url: string };

export interface Settings {
  ledger: LedgerChoice;
  locale: string;
  theme: string;
  text_size: number;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e) as AppError;
  }
}

export const api = {
  appState: () => call<AppStatus>("app_state"),
  createWallet: (passphrase: string) => call<{ did: string }>("create_wallet", { passphrase }),
  recoveryKit: () => call<{ words: string[]; qr_svg: string }>("recovery_kit"),
  confirmRecovery: (answers: { position: number; word: string }[]) =>
    call<void>("confirm_recovery", { answers }),
  restoreWallet: (backup: string, words: string, passphrase: string) =>
    call<RestoreReport>("restore_wallet", { backup, words, passphrase }),
  unlock: (passphrase: string) => call<IntegrityReport>("unlock", { passphrase }),
  identity: () => call<Status>("identity"),
  holderKey: () => call<{ jwk: unknown; thumbprint: string }>("holder_key"),
  listCredentials: () => call<CredentialSummary[]>("list_credentials"),
  credentialDetails: (id: string) => call<CredentialDetails>("credential_details", { id }),
  receiveCredential: (text: string) => call<Received>("receive_credential", { text }),
  receiveQrImage: (image: number[]) => call<Received>("receive_qr_image", { image }),
  deleteCredential: (id: string) => call<void>("delete_credential", { id }),
  demoCredentials: () => call<Received[]>("demo_credentials"),
  openRequest: (text: string) => call<ConsentView>("open_request", { text }),
  openRequestImage: (image: number[]) => call<ConsentView>("open_request_image", { image }),
  present: (dropped: string[]) => call<Proof>("present", { dropped }),
  sendOnline: () => call<{ status: number; receipt: boolean }>("send_online"),
  history: () => call<HistoryItem[]>("history"),
  verifyHistory: () => call<IntegrityReport>("verify_history"),
  attachReceipt: (seq: number, receipt: string) => call<void>("attach_receipt", { seq, receipt }),
  lock: () => call<void>("lock"),
  setAutoLock: (seconds: number) => call<void>("set_auto_lock", { seconds }),
  changePassphrase: (current: string, next: string) =>
    call<void>("change_passphrase", { current, new: next }),
  rotateKeys: (words: string) =>
    call<{ did: string; version: string; holder_key: string }>("rotate_keys", { words }),
  backup: (path: string | null) => call<[BackupInfo, string]>("backup", { path }),
  deactivate: (words: string) => call<string>("deactivate", { words }),
  getSettings: () => call<Settings>("get_settings"),
  setSettings: (settings: Settings) => call<Settings>("set_settings", { settings }),
};
