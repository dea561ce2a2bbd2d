import { describe, expect, it } from "vitest";
import { EN, ZH, t } from "./i18n";
import { strength } from "./strength";

describe("i18n", () => {
  it("has every English string in Traditional Chinese too", () => {
    expect(Object.keys(ZH).sort()).toEqual(Object.keys(EN).sort());
  });
  it("fills placeholders and falls back to the key", () => {
    expect(t("en-US", "kit.word_n", { n: 3 })).toBe("Word number 3");
    expect(t("zh-TW", "kit.word_n", { n: 3 })).toBe("第 3 個詞");
    expect(t("en-US", "no.such.key")).toBe("no.such.key");
  });
});

describe("passphrase strength", () => {
  it("grades from too short to strong", () => {
    expect(strength("abc").score).toBe(0);
    expect(strength("password1").score).toBeLessThanOrEqual(1);
    expect(strength("password1").advice).toContain("strength.common");
    expect(strength("correct horse battery staple").score).toBe(4);
  });
});
