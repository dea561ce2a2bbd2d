import { describe, expect, it } from "vitest";
import { MAX_ROOTS, isDid, rootProblem } from "./roots";
import { t } from "./i18n";

const ROOT = "did:webvh:QmaJp6pmb6RUk4oaDyWQcjeqYbvxsc3kvmHWPpz7B5JgTd:ledger.civitas.example:root";

describe("trusted roots", () => {
  it("accepts DIDs only, as civitas-did's validate_did does", () => {
    for (const ok of [ROOT, "did:jwk:eyJrdHkiOiJFQyJ9", "did:key:z6Mk", "did:web:city.example%3A8443"]) expect(isDid(ok), ok).toBe(true);
    for (const bad of ["", "did:", "did:webvh", "did:webvh:", "did:WEBVH:x", "did:webvh:a b", "did:webvh:x:", "https://root.example", `did:x:${"a".repeat(4096)}`])
      expect(isDid(bad), bad).toBe(false);
  });

  it("says what is wrong with a root to add, in plain words", () => {
    expect(rootProblem("  ", [])).toBe("roots.empty");
    expect(rootProblem("city hall", [])).toBe("roots.not_did");
    expect(rootProblem(` ${ROOT} `, [ROOT])).toBe("roots.duplicate");
    expect(rootProblem("did:jwk:new", Array.from({ length: MAX_ROOTS }, (_, i) => `did:jwk:${i}`))).toBe("roots.too_many");
    expect(rootProblem(` ${ROOT} `, [])).toBeNull();
    for (const key of ["roots.empty", "roots.not_did", "roots.duplicate", "roots.too_many"]) {
      expect(t("en-US", key)).not.toBe(key);
      expect(t("zh-TW", key)).not.toBe(t("en-US", key));
    }
  });
});
