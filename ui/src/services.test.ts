import { describe, expect, it } from "vitest";
import type { CredentialDetails } from "./api";
import { SERVICE_RECORD_VCT, isServiceRecord, seconds, serviceRows } from "./services";

function record(id: string, claims: Record<string, unknown>, vct = SERVICE_RECORD_VCT): CredentialDetails {
  return {
    id,
    vct,
    issued_at: 1_700_000_000,
    claims: Object.entries(claims).map(([path, value]) => ({ path, value, label: null, label_zh: null, selectively_disclosable: true })),
  } as unknown as CredentialDetails;
}

const OLD = record("a", {
  service: "Residence registration",
  agency: "Da'an District Office",
  requested_at: "2026-03-01T09:00:00Z",
  completed_at: "2026-03-01T09:20:00Z",
  outcome: "approved",
  reference: "DA-2026-0001",
});
const NEW = record("b", {
  service: "Senior bus pass",
  agency: "Department of Social Welfare",
  requested_at: "2026-11-20T10:00:00Z",
  reference: "SW-2026-0420",
});

describe("history of services", () => {
  it("lists service records only, newest first, one readable row per visit", () => {
    const pid = record("p", { given_name: "Mei-Ling" }, "https://civitas.example/credentials/pid/v1");
    const rows = serviceRows([OLD, pid, NEW], "en-US");
    expect(rows.map((r) => r.id)).toEqual(["b", "a"]);
    expect(rows[1]).toMatchObject({
      agency: "Da'an District Office",
      service: "Residence registration",
      reference: "DA-2026-0001",
      date: "March 1, 2026",
      outcome: "approved · completed March 1, 2026",
    });
    // No outcome yet: a dash, not an empty cell.
    expect(rows[0].outcome).toBe("—");
  });

  it("says \"completed\" once", () => {
    const done = record("e", { service: "s", agency: "a", requested_at: "2026-12-05T09:00:00Z", completed_at: "2026-12-05T09:10:00Z", outcome: "completed", reference: "SR-1" });
    expect(serviceRows([done], "en-US")[0].outcome).toBe("completed December 5, 2026");
  });

  it("formats dates in the citizen's language", () => {
    const [row] = serviceRows([OLD], "zh-TW");
    expect(row.date).toBe("2026年3月1日");
    expect(row.outcome).toBe("approved · 2026年3月1日 完成");
  });

  it("puts a record without a readable date last, and ties by reference", () => {
    const undated = { ...record("c", { service: "x", agency: "y", requested_at: "soon", reference: "Z" }), issued_at: null } as CredentialDetails;
    const twin = record("d", { ...Object.fromEntries(OLD.claims.map((c) => [c.path, c.value])), reference: "DA-2026-0000" });
    expect(serviceRows([undated, OLD, twin], "en-US").map((r) => r.id)).toEqual(["d", "a", "c"]);
    expect(serviceRows([undated], "en-US")[0].date).toBe("—");
  });

  it("reads RFC 3339 dates only", () => {
    expect(seconds("2026-03-01T09:00:00Z")).toBe(1_772_355_600);
    expect(seconds("yesterday")).toBeNull();
    expect(seconds(42)).toBeNull();
    expect(isServiceRecord({ vct: SERVICE_RECORD_VCT })).toBe(true);
    expect(isServiceRecord({ vct: "https://civitas.example/credentials/pid/v1" })).toBe(false);
  });
});
