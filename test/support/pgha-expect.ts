import { expect } from "vitest";
import { pghaDbNodes, pghaDefaults } from "../../systems/pgha/topology.ts";
import { leftovers } from "./run-cli.ts";
import { promotion, slo, type PghaRun } from "./pgha-run.ts";

/**
 * Runs of the non-representative pgha scenarios (each takes about 2.5 min on this 2-core machine) happen only when
 * HAVOC_NIGHTLY=1; CI runs the representative one (pgha-primary-kill.test.ts, synchronous mode) every time.
 */
export { nightly } from "./nightly.ts";

/** Patroni's timing of the topology the scenarios use, ms. */
export const ttlMs = pghaDefaults.ttl * 1_000;
export const loopWaitMs = pghaDefaults.loopWait * 1_000;
export const retryTimeoutMs = pghaDefaults.retryTimeout * 1_000;
/** Slack for one HA loop's own run time and the 1 s resolution of the timeline, ms. */
export const slackMs = 1_000;

/** The fault record with this id, with the times the run recorded. */
export function fault(pgha: PghaRun, id: string) {
  const found = pgha.history.faults.find((f) => f.id === id);
  if (!found) throw new Error(`no fault "${id}" in the history`);
  return { ...found, calledAtMs: found.calledAtMs ?? found.injectedAtMs };
}

/**
 * A replica took the leader key after `afterMs`, no sooner than the former leader's key could expire and no later than
 * Patroni's claim: the key was last renewed at most loop_wait before the leader was lost and lives ttl, and the next
 * HA loop of a replica takes it.
 */
export async function expectPromotionWithinTtl(pgha: PghaRun, lostAtMs: number, formerLeader: string): Promise<{ node: string; atMs: number }> {
  const others = pghaDbNodes.filter((n) => n !== formerLeader);
  const promoted = await promotion(pgha, others, lostAtMs);
  expect(promoted, `no replica logged "promoted self to leader" after ${lostAtMs} ms`).toBeDefined();
  const afterLossMs = promoted!.atMs - lostAtMs;
  expect(afterLossMs).toBeGreaterThanOrEqual(ttlMs - loopWaitMs - slackMs);
  expect(afterLossMs).toBeLessThanOrEqual(ttlMs + loopWaitMs + slackMs);
  return promoted!;
}

/**
 * After the tail: the readback read the new leader, every PostgreSQL node answered with exactly the primary's ids (the
 * former leader, rewound or not, included), the convergence SLO passed, and the run left nothing behind.
 */
export async function expectConvergedOn(pgha: PghaRun, leader: string): Promise<void> {
  const sets = pgha.history.writes.devices!;
  expect(sets.readback?.node).toBe(leader);
  expect(sets.stored).not.toBeNull();
  expect(sets.convergence?.map((r) => [r.node, r.outcome, r.count, r.lacking, r.extra])).toEqual(pghaDbNodes.map((n) => [n, "ok", sets.stored!.length, 0, 0]));
  expect(slo(pgha.report, "every-node-converged").verdict).toBe("pass");
  expect(await leftovers(pgha.report.runId)).toEqual({ containers: 0, networks: 0 });
}

/**
 * The CLI's exit code for a report's verdicts: 1 when an SLO failed, else 4 when one could not be judged (e.g. the
 * load generator dropped iterations on a loaded machine, which makes a would-be pass unknown), else 0.
 */
export function exitFor(report: PghaRun["report"]): number {
  if (report.slos.some((s) => s.verdict === "fail")) return 1;
  return report.slos.some((s) => s.verdict !== "pass") ? 4 : 0;
}

/** Figures a test prints for the README's tables: one line per run. */
export function summary(pgha: PghaRun, extra: Record<string, string | number>): string {
  const loss = pgha.report.dataLoss;
  const parts = { scenario: pgha.report.scenario, exit: pgha.run.exitCode ?? "killed", acknowledged: loss.acknowledged, lost: loss.lost ?? "?", unknown: loss.unknown, ...extra };
  return Object.entries(parts).map(([k, v]) => `${k}=${v}`).join(" ");
}
