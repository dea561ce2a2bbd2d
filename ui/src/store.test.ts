import { describe, expect, it, vi } from "vitest";
import type { Api, AppStatus, ConsentView, Proof, Settings } from "./api";
import { Store } from "./store";

const APP: AppStatus = {
  has_wallet: true,
  unlocked: true,
  recovery_pending: false,
  open_error: null,
  wallet_dir: "/w",
  backup_dir: "/b",
};

const VIEW = {
  counter: "redirect_uri:https://counter-7.city.example/post",
  response_host: "counter-7.city.example",
  required: [{ path: "age_over_18", label: "Over 18", label_zh: null, value: true }],
  optional: [{ path: "nationality", label: "Nationality", label_zh: null, value: "TW" }],
  missing_required: [],
} as unknown as ConsentView;

const PROOF: Proof = { codes: [{ svg: "<svg/>", version: 10, ecc: "M" }], disclosed: ["age_over_18"], history: 3, can_send: false };

/** A fake of the Rust commands: a wallet that is there and unlocked, nothing in it. */
function fakeApi(over: Partial<Api> = {}): Api {
  const api = {
    getSettings: async (): Promise<Settings> => ({ ledger: { kind: "embedded" }, locale: "en-US", theme: "system", text_size: 1, trusted_roots: [] }),
    appState: async () => APP,
    identity: async () => ({ did: "did:webvh:x", credentials: 0, history_entries: 0 }),
    listCredentials: async () => [],
    pendingCredentials: async () => [],
    fetchPending: async () => [],
    credentialDetails: async () => null,
    recoveryKit: async () => ({ words: ["w1", "w2"], qr_svg: "<svg/>" }),
    createWallet: async () => ({ did: "did:webvh:x" }),
    unlock: async () => ({ history_entries: 0, problems: [] }),
    lock: async () => undefined,
    openRequest: async () => VIEW,
    present: async () => PROOF,
    history: async () => [],
    holderKey: async () => ({ jwk: { kty: "EC" }, thumbprint: "t" }),
    ...over,
  };
  return api as unknown as Api;
}

async function started(api: Api): Promise<Store> {
  const store = new Store(api);
  await store.start();
  return store;
}

describe("store", () => {
  it("starts on the screen the wallet's state calls for, in the saved language", async () => {
    const store = await started(
      fakeApi({
        getSettings: async () => ({ ledger: { kind: "embedded" }, locale: "zh-TW", theme: "dark", text_size: 1.25, trusted_roots: [] }),
        appState: async () => ({ ...APP, has_wallet: false }),
      }),
    );
    expect(store.state.screen).toBe("welcome");
    expect(store.state.locale).toBe("zh-TW");
    expect(store.state.settings?.theme).toBe("dark");
  });

  it("opens the home screen of an unlocked wallet, and notifies on every change", async () => {
    const store = new Store(fakeApi());
    const seen = vi.fn();
    const unsubscribe = store.subscribe(seen);
    await store.start();
    expect(store.state.screen).toBe("home");
    expect(store.state.status?.did).toBe("did:webvh:x");
    expect(store.state.busy).toBe(false);
    expect(seen).toHaveBeenCalled();
    unsubscribe();
    const calls = seen.mock.calls.length;
    store.go("settings");
    expect(seen.mock.calls.length).toBe(calls);
  });

  it("counts navigations (each shows a fresh screen) and clears the alert", async () => {
    const store = await started(fakeApi({ appState: async () => ({ ...APP, has_wallet: false }) }));
    const visits = store.state.visits;
    store.showAlert("create.mismatch");
    expect(store.state.error).toBe("The two passphrases are not the same.");
    store.go("create");
    expect(store.state.visits).toBe(visits + 1);
    expect(store.state.error).toBeNull();
  });

  it("refuses two different passphrases without asking Rust", async () => {
    const createWallet = vi.fn(async () => ({ did: "x" }));
    const store = await started(fakeApi({ createWallet, appState: async () => ({ ...APP, has_wallet: false }) }));
    expect(await store.create("one passphrase", "another one")).toBe(false);
    expect(createWallet).not.toHaveBeenCalled();
    expect(store.state.error).toBe("The two passphrases are not the same.");
    expect(await store.create("same passphrase", "same passphrase")).toBe(true);
    expect(createWallet).toHaveBeenCalledWith("same passphrase");
    expect(store.state.screen).toBe("kit");
    expect(store.state.kit?.words).toEqual(["w1", "w2"]);
    expect(store.state.kitWritten).toBe(false);
    expect(store.state.notice).toBeNull();
  });

  it("shows a failed action's error, translated, and ends the busy state", async () => {
    const store = await started(
      fakeApi({ unlock: async () => Promise.reject({ code: "wrong_passphrase", message: "wrong passphrase" }) }),
    );
    store.go("unlock");
    expect(await store.unlock("not it")).toBe(false);
    expect(store.state.error).toBe("That passphrase is not right. Please try again.");
    expect(store.state.screen).toBe("unlock");
    expect(store.state.busy).toBe(false);
  });

  it("reports a tampered history after unlocking", async () => {
    const store = await started(
      fakeApi({ unlock: async () => ({ history_entries: 2, problems: [{ problem: "altered", seq: 2 }] }) }),
    );
    expect(await store.unlock("right")).toBe(true);
    expect(store.state.screen).toBe("home");
    expect(store.state.error).toMatch(/History entry #2 was altered\.$/);
  });

  it("forgets the session and asks to unlock when the wallet locked itself", async () => {
    const store = await started(fakeApi({ history: async () => Promise.reject({ code: "locked", message: "x" }) }));
    await store.openRequest("openid4vp://?x");
    expect(store.state.request).not.toBeNull();
    await store.openHistory();
    expect(store.state.screen).toBe("unlock");
    expect(store.state.request).toBeNull();
    expect(store.state.status).toBeNull();
    expect(store.state.error).not.toBeNull();
  });

  it("handles the locked event and the lock button alike", async () => {
    const store = await started(fakeApi());
    store.locked();
    expect(store.state.screen).toBe("unlock");
    expect(store.state.status).toBeNull();
    expect(store.state.notice).not.toBeNull();
    await store.nav("home");
    expect(await store.lockNow()).toBe(true);
    expect(store.state.screen).toBe("unlock");
    expect(store.state.status).toBeNull();
  });

  it("shows the error of a screen opened inside an action once, and ends the busy state", async () => {
    const confirmRecovery = vi.fn(async () => undefined);
    const store = await started(
      fakeApi({ confirmRecovery, identity: async () => Promise.reject({ code: "ledger", message: "down" }) }),
    );
    store.go("kit-check");
    expect(await store.confirmKit([{ position: 3, word: "w3" }])).toBe(false);
    expect(confirmRecovery).toHaveBeenCalledWith([{ position: 3, word: "w3" }]);
    expect(store.state.kit).toBeNull();
    expect(store.state.screen).toBe("home");
    expect(store.state.error).toMatch(/\(down\)$/);
    expect(store.state.busy).toBe(false);
  });

  it("keeps only the command results of the presentation flow", async () => {
    const present = vi.fn(async () => PROOF);
    const openRequest = vi.fn(async () => VIEW);
    const store = await started(fakeApi({ present, openRequest }));
    await store.nav("present");
    expect(await store.present([])).toBe(false);
    expect(present).not.toHaveBeenCalled();
    expect(await store.openRequest("  openid4vp://?request=x \n")).toBe(true);
    expect(openRequest).toHaveBeenCalledWith("openid4vp://?request=x");
    expect(store.state.request).toBe(VIEW);
    expect(await store.present(["nationality"])).toBe(true);
    expect(present).toHaveBeenCalledWith(["nationality"]);
    expect(store.state.proof).toBe(PROOF);
    await store.nav("present");
    expect(store.state.request).toBeNull();
    expect(store.state.proof).toBeNull();
  });
});
