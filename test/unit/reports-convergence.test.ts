import { describe, expect, it } from "vitest";
import type { History, ReplicaRead, WriteSets } from "../../core/history.ts";
import { checkConvergence } from "../../judge/slos/convergence.ts";
import { checkLostWrites } from "../../judge/slos/lost-writes.ts";

// Hand-made histories: what the readback and the convergence reads would have recorded.

function history(sets: WriteSets): History {
  return {
    runId: "r",
    scenario: "s",
    seed: 1,
    trafficStartEpochMs: 0,
    trafficEndMs: 60_000,
    timeline: [],
    faults: [],
    containerEvents: [],
    writes: { devices: sets },
    droppedIterations: {},
    droppedBySecond: [],
  };
}

const okRead = { node: "pg-2", what: "postgres trackr: SELECT reading_id FROM readings", outcome: "ok" as const, attempts: 1, elapsedMs: 12, retryForMs: 60_000 };

function replica(node: string, lacking: string[] = [], extra: string[] = [], outcome: ReplicaRead["outcome"] = "ok"): ReplicaRead {
  return { node, outcome, count: outcome === "unreachable" ? null : 3 - lacking.length + extra.length, lacking: lacking.length, extra: extra.length, lackingSample: lacking, extraSample: extra, attempts: 1, elapsedMs: 5, ...(outcome !== "ok" ? { why: "connection refused" } : {}) };
}

const slo = { kind: "convergence" as const, id: "converged", traffic: "devices", atMost: 0 };

describe("convergence", () => {
  it("passes when every node holds the primary's ids", () => {
    const h = history({ acknowledged: ["a", "b", "c"], unknown: [], failed: [], stored: ["a", "b", "c"], readback: okRead, convergence: [replica("pg-1"), replica("pg-2"), replica("pg-3")] });
    const result = checkConvergence(slo, h);
    expect(result.verdict).toBe("pass");
    expect(result.observed).toBe(0);
  });

  it("fails naming the rewound node and the ids it lacks or has extra", () => {
    const h = history({ acknowledged: ["a", "b", "c"], unknown: [], failed: [], stored: ["a", "b", "c"], readback: okRead, convergence: [replica("pg-1", ["c"], ["z"]), replica("pg-2"), replica("pg-3")] });
    const result = checkConvergence(slo, h);
    expect(result.verdict).toBe("fail");
    expect(result.observed).toBe(1);
    expect(result.why).toContain("pg-1 lacks 1 (c) and has 1 extra (z)");
  });

  it("is unknown, never pass, when a node could not be read", () => {
    const h = history({ acknowledged: ["a"], unknown: [], failed: [], stored: ["a"], readback: okRead, convergence: [replica("pg-1", [], [], "unreachable"), replica("pg-2")] });
    expect(checkConvergence(slo, h).verdict).toBe("unknown");
  });

  it("is unknown without a readable primary", () => {
    const h = history({ acknowledged: ["a"], unknown: [], failed: [], stored: null, readback: { ...okRead, outcome: "unreachable", why: "refused" } });
    expect(checkConvergence(slo, h).verdict).toBe("unknown");
  });
});

describe("lost writes when the store lost what it held", () => {
  it("fails with every acknowledged write lost and says why, never unknown", () => {
    const lost = { ...okRead, node: "db", outcome: "store-lost" as const, why: 'relation "readings" does not exist (SQLSTATE 42P01, undefined table)' };
    const h = history({ acknowledged: ["a", "b", "c"], unknown: ["d"], failed: [], stored: [], readback: lost });
    const result = checkLostWrites({ kind: "lost-writes", id: "lost", traffic: "devices", atMost: 0 }, h);
    expect(result.verdict).toBe("fail");
    expect(result.observed).toBe(3);
    expect(result.why).toMatch(/^the store lost what it held .*relation "readings" does not exist.*devices lost 3 acknowledged writes/);
  });

  it("is unknown when the store could not be reached, naming the attempts and the retry time", () => {
    const h = history({ acknowledged: ["a"], unknown: [], failed: [], stored: null, readback: { ...okRead, outcome: "unreachable", attempts: 61, elapsedMs: 60_400, why: "connect ECONNREFUSED" } });
    const result = checkLostWrites({ kind: "lost-writes", id: "lost", traffic: "devices", atMost: 0 }, h);
    expect(result.verdict).toBe("unknown");
    expect(result.why).toContain("61 attempt(s) over 60.4 s, retried for 60.0 s: connect ECONNREFUSED");
  });
});
