import { describe, expect, it } from "vitest";
import type { ConsentView } from "./api";
import { dropped, formatValue, initialConsent, toggle, typeName, willDisclose } from "./consent";

function view(over: Partial<ConsentView> = {}): ConsentView {
  return {
    counter: "redirect_uri:https://counter-7.city.example/post",
    response_host: "counter-7.city.example",
    request: { nonce: "n", aud: "a", vct: "pid", required: ["age_over_18"], optional: ["address.locality", "nationality"] },
    credential: "c:01",
    vct: "https://civitas.example/credentials/pid/v1",
    type_name: "Personal ID",
    type_name_zh: "個人身分證明",
    issuer: "did:webvh:x",
    required: [{ path: "age_over_18", label: "Over 18", label_zh: "年滿 18 歲", value: true }],
    optional: [
      { path: "address.locality", label: "City", label_zh: "城市", value: "Taipei" },
      { path: "nationality", label: "Nationality", label_zh: "國籍", value: "TW" },
    ],
    missing_required: [],
    missing_optional: [],
    always_visible: ["iss", "vct"],
    alternatives: [],
    warnings: [],
    ...over,
  };
}

describe("consent", () => {
  it("shares every requested claim at first and drops nothing", () => {
    const s = initialConsent(view(), "en-US");
    expect(s.canPresent).toBe(true);
    expect(willDisclose(s).map((r) => r.path)).toEqual(["age_over_18", "address.locality", "nationality"]);
    expect(dropped(s)).toEqual([]);
    expect(s.rows[0]).toMatchObject({ label: "Over 18", value: "Yes", required: true });
  });

  it("lets the citizen leave out optional claims, and take them back", () => {
    let s = initialConsent(view(), "en-US");
    s = toggle(s, "address.locality");
    expect(dropped(s)).toEqual(["address.locality"]);
    expect(willDisclose(s).map((r) => r.path)).toEqual(["age_over_18", "nationality"]);
    s = toggle(s, "address.locality");
    expect(dropped(s)).toEqual([]);
  });

  it("never lets a required claim be dropped", () => {
    const s = toggle(initialConsent(view(), "en-US"), "age_over_18");
    expect(dropped(s)).toEqual([]);
    expect(willDisclose(s).map((r) => r.path)).toContain("age_over_18");
  });

  it("ignores a path that is not in the request", () => {
    const s = toggle(initialConsent(view(), "en-US"), "personal_number");
    expect(willDisclose(s).map((r) => r.path)).not.toContain("personal_number");
    expect(dropped(s)).toEqual([]);
  });

  it("cannot present when a required claim is missing", () => {
    const s = initialConsent(view({ required: [], missing_required: ["age_over_18"] }), "en-US");
    expect(s.canPresent).toBe(false);
  });

  it("labels claims and types in Traditional Chinese", () => {
    const s = initialConsent(view(), "zh-TW");
    expect(s.rows.map((r) => r.label)).toEqual(["年滿 18 歲", "城市", "國籍"]);
    expect(s.rows[0].value).toBe("是");
    expect(typeName(view(), "zh-TW")).toBe("個人身分證明");
    expect(typeName({ vct: "urn:x", type_name: null, type_name_zh: null }, "zh-TW")).toBe("urn:x");
  });

  it("formats values for people", () => {
    expect(formatValue(["penicillin", "latex"], "en-US")).toBe("penicillin, latex");
    expect(formatValue({ vaccine: "COVID-19", dose: 4 }, "en-US")).toBe("vaccine: COVID-19; dose: 4");
    expect(formatValue(null, "en-US")).toBe("—");
  });
});

import { shortId } from "./history";

describe("short ids", () => {
  it("shows a counter by its host and a DID by its place", () => {
    expect(shortId("redirect_uri:https://counter-7.city.example/post")).toBe("counter-7.city.example");
    expect(shortId("did:webvh:QmScid:ledger.civitas.example:issuers:demo-city-hall")).toBe(
      "ledger.civitas.example/issuers/demo-city-hall",
    );
    expect(shortId("did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIn0")).toBe("did:jwk:eyJjcnYiOiJQ…");
  });
});

import { disclosedLabels } from "./consent";

describe("proof labels", () => {
  it("names what the proof disclosed from the request's view, paths otherwise", () => {
    expect(disclosedLabels(view(), ["age_over_18", "address.locality", "iss"], "en-US")).toEqual(["Over 18", "City", "iss"]);
    expect(disclosedLabels(view(), ["age_over_18"], "zh-TW")).toEqual(["年滿 18 歲"]);
    expect(disclosedLabels(null, ["age_over_18"], "en-US")).toEqual(["age_over_18"]);
  });
});
