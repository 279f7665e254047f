import { describe, expect, it } from "vitest";
import { readYourWritesStale } from "../../systems/trackr/k6/read-your-writes.ts";

/** A body shaped like trackr's GET /api/devices/:id/readings answer, newest first. */
function answer(ids: string[]): string {
  return JSON.stringify({
    device_id: "dev-1000001",
    readings: ids.map((reading_id, i) => ({ reading_id, device_id: "dev-1000001", value: 1, recorded_at: 1e12 - i, inserted_at: 1e12 - i, served_by: "app-1" })),
  });
}

describe("readYourWritesStale (user-sessions' freshness check)", () => {
  it("is false when the 200 answer lists the client's last acknowledged write, wherever it is in the page", () => {
    expect(readYourWritesStale(200, 200, answer(["r-3"]), "r-3")).toBe(false);
    // An unknown-outcome write sent after it may have committed and be newer: the checked id need not come first.
    expect(readYourWritesStale(200, 200, answer(["r-5", "r-4", "r-3"]), "r-3")).toBe(false);
  });

  it("is true when the 200 answer does not list it (a stale read)", () => {
    expect(readYourWritesStale(200, 200, answer(["r-2", "r-1"]), "r-3")).toBe(true);
    expect(readYourWritesStale(200, 200, answer([]), "r-3")).toBe(true);
    // Ids are compared exactly: a prefix is another reading.
    expect(readYourWritesStale(200, 200, answer(["r-30"]), "r-3")).toBe(true);
  });

  it("gives no flag for a failed read: a read that proves nothing is not a freshness check", () => {
    expect(readYourWritesStale(200, 503, answer(["r-3"]), "r-3")).toBeUndefined();
    expect(readYourWritesStale(200, 429, '{"error":"rate limited: user"}', "r-3")).toBeUndefined();
    expect(readYourWritesStale(200, 0, null, "r-3")).toBeUndefined(); // timeout / reset: k6 has no body
    expect(readYourWritesStale(200, 200, null, "r-3")).toBeUndefined(); // body discarded (responseType not "text")
    expect(readYourWritesStale(200, 200, new ArrayBuffer(8), "r-3")).toBeUndefined();
  });

  it("gives no flag for a 200 whose body is not the expected JSON", () => {
    for (const body of ["", "<html>", '{"readings":', "null", "42", '"r-3"', '["r-3"]', '{"device_id":"dev-1"}', '{"readings":{"reading_id":"r-3"}}']) {
      expect(readYourWritesStale(200, 200, body, "r-3"), body).toBeUndefined();
    }
  });

  it("skips malformed rows without failing the check", () => {
    expect(readYourWritesStale(200, 200, JSON.stringify({ readings: [null, 7, { value: 1 }, { reading_id: "r-3" }] }), "r-3")).toBe(false);
    expect(readYourWritesStale(200, 200, JSON.stringify({ readings: [null, { reading_id: 3 }] }), "3")).toBe(true);
  });
});
