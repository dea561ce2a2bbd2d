import { describe, expect, it } from "vitest";
import type { Settings } from "./api";
import { formOf, settingsOf } from "./settings-form";

describe("settings form", () => {
  it("reads the settings and gives them back unchanged", () => {
    const embedded: Settings = { ledger: { kind: "embedded", path: "/l.db" }, locale: "zh-TW", theme: "dark", text_size: 1.5, trusted_roots: ["did:webvh:QmX:ledger.example:root"] };
    const node: Settings = { ledger: { kind: "node", url: "https://ledger.example" }, locale: "en-US", theme: "system", text_size: 1, trusted_roots: [] };
    const plain: Settings = { ledger: { kind: "embedded" }, locale: "en-US", theme: "light", text_size: 1.25, trusted_roots: [] };
    for (const s of [embedded, node, plain]) expect(settingsOf(formOf(s), s.trusted_roots)).toEqual(s);
  });

  it("trims paths and URLs; an empty path is the default ledger", () => {
    const f = formOf({ ledger: { kind: "embedded" }, locale: "en-US", theme: "system", text_size: 1, trusted_roots: [] });
    expect(settingsOf({ ...f, ledgerPath: "  " }).ledger).toEqual({ kind: "embedded" });
    expect(settingsOf({ ...f, ledgerPath: " /x.db " }).ledger).toEqual({ kind: "embedded", path: "/x.db" });
    expect(settingsOf({ ...f, ledgerKind: "node", ledgerUrl: " http://n:8080 " }).ledger).toEqual({ kind: "node", url: "http://n:8080" });
  });
});
