// The Rust commands, typed. Every call goes through `call`, which turns a rejected
// promise into an AppError ({code, message}, as src-tauri/src/error.rs serializes it).
//
// The types are generated from the Rust types by ts-rs (src-tauri/src/bindings.rs
// writes ./bindings/, one file per type; never edit them by hand): a renamed or retyped
// Rust field fails `tsc`. This module re-exports them for the rest of the ui.
import { invoke } from "@tauri-apps/api/core";
import { type AppError, toAppError } from "./errors";
import type { Accepted } from "./bindings/Accepted";
import type { Accreditation } from "./bindings/Accreditation";
import type { AppStatus } from "./bindings/AppStatus";
import type { BackupInfo } from "./bindings/BackupInfo";
import type { Binding } from "./bindings/Binding";
import type { ClaimView } from "./bindings/ClaimView";
import type { ConsentClaim } from "./bindings/ConsentClaim";
import type { ConsentView } from "./bindings/ConsentView";
import type { Created } from "./bindings/Created";
import type { CredentialDetails } from "./bindings/CredentialDetails";
import type { CredentialStatus } from "./bindings/CredentialStatus";
import type { CredentialSummary } from "./bindings/CredentialSummary";
import type { FetchOutcome } from "./bindings/FetchOutcome";
import type { HistoryView } from "./bindings/HistoryView";
import type { HolderKey } from "./bindings/HolderKey";
import type { IntegrityReport } from "./bindings/IntegrityReport";
import type { LedgerChoice } from "./bindings/LedgerChoice";
import type { OfferPreview } from "./bindings/OfferPreview";
import type { PendingIssuance } from "./bindings/PendingIssuance";
import type { PresentationRequest } from "./bindings/PresentationRequest";
import type { Problem } from "./bindings/Problem";
import type { Proof } from "./bindings/Proof";
import type { QrImage } from "./bindings/QrImage";
import type { Received } from "./bindings/Received";
import type { RecoveryKit } from "./bindings/RecoveryKit";
import type { RestoreReport } from "./bindings/RestoreReport";
import type { Rotation } from "./bindings/Rotation";
import type { Sent } from "./bindings/Sent";
import type { Settings } from "./bindings/Settings";
import type { Status } from "./bindings/Status";
import type { WordCheck } from "./bindings/WordCheck";

export type {
  Accepted,
  Accreditation,
  AppStatus,
  BackupInfo,
  Binding,
  ClaimView,
  ConsentClaim,
  ConsentView,
  Created,
  CredentialDetails,
  CredentialStatus,
  CredentialSummary,
  FetchOutcome,
  HistoryView,
  HolderKey,
  IntegrityReport,
  LedgerChoice,
  OfferPreview,
  PendingIssuance,
  PresentationRequest,
  Problem,
  Proof,
  QrImage,
  Received,
  RecoveryKit,
  RestoreReport,
  Rotation,
  Sent,
  Settings,
  Status,
  WordCheck,
};

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e) as AppError;
  }
}

/** The Rust commands, one function each. */
export const api = {
  appState: () => call<AppStatus>("app_state"),
  createWallet: (passphrase: string) => call<Created>("create_wallet", { passphrase }),
  recoveryKit: () => call<RecoveryKit>("recovery_kit"),
  confirmRecovery: (answers: WordCheck[]) =>
    call<void>("confirm_recovery", { answers }),
  restoreWallet: (backup: string, words: string, passphrase: string) =>
    call<RestoreReport>("restore_wallet", { backup, words, passphrase }),
  unlock: (passphrase: string) => call<IntegrityReport>("unlock", { passphrase }),
  identity: () => call<Status>("identity"),
  holderKey: () => call<HolderKey>("holder_key"),
  listCredentials: () => call<CredentialSummary[]>("list_credentials"),
  credentialDetails: (id: string) => call<CredentialDetails>("credential_details", { id }),
  receiveCredential: (text: string) => call<Received>("receive_credential", { text }),
  receiveQrImage: (image: number[]) => call<Received>("receive_qr_image", { image }),
  deleteCredential: (id: string) => call<void>("delete_credential", { id }),
  demoCredentials: () => call<Received[]>("demo_credentials"),
  previewOffer: (uri: string) => call<OfferPreview>("preview_offer", { uri }),
  previewOfferImage: (image: number[]) => call<OfferPreview>("preview_offer_image", { image }),
  acceptOffer: (pin: string) => call<Accepted>("accept_offer", { pin }),
  pendingCredentials: () => call<PendingIssuance[]>("pending_credentials"),
  fetchPending: (force: boolean) => call<FetchOutcome[]>("fetch_pending", { force }),
  openRequest: (text: string) => call<ConsentView>("open_request", { text }),
  openRequestImage: (image: number[]) => call<ConsentView>("open_request_image", { image }),
  present: (dropped: string[]) => call<Proof>("present", { dropped }),
  sendOnline: () => call<Sent>("send_online"),
  history: () => call<HistoryView[]>("history"),
  verifyHistory: () => call<IntegrityReport>("verify_history"),
  attachReceipt: (seq: number, receipt: string) => call<void>("attach_receipt", { seq, receipt }),
  lock: () => call<void>("lock"),
  setAutoLock: (seconds: number) => call<void>("set_auto_lock", { seconds }),
  changePassphrase: (current: string, next: string) =>
    call<void>("change_passphrase", { current, new: next }),
  rotateKeys: (words: string) =>
    call<Rotation>("rotate_keys", { words }),
  backup: (path: string | null) => call<[BackupInfo, string]>("backup", { path }),
  deactivate: (words: string) => call<string>("deactivate", { words }),
  getSettings: () => call<Settings>("get_settings"),
  setSettings: (settings: Settings) => call<Settings>("set_settings", { settings }),
};

/** The commands' shape (the store takes it, so tests can pass a fake). */
export type Api = typeof api;
