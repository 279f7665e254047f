import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

// Real containers, real k6: what the verdicts say in the worst cases must match what happened.

async function historyOf(reportsDir: string): Promise<History> {
  return History.parse(JSON.parse(await readFile(join(reportsDir, "latest", "history.json"), "utf8")));
}

describe("verdict fidelity", () => {
  it("calls a store that came back empty after a kill a FAIL with every acknowledged write lost, not unknown", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-wiped-store.ts", "--seed", "11"]);
    const report = await readLatestReport(run.reportsDir);
    const history = await historyOf(run.reportsDir);
    const kill = history.faults.find((f) => f.id === "kill-db")!;
    // Acknowledged before the kill: all lost. After the restart the table is gone, so nothing more is acknowledged.
    const sets = history.writes.devices!;
    expect(sets.readback).toMatchObject({ outcome: "store-lost", node: "db" });
    expect(sets.readback!.why).toContain('relation "readings" does not exist');
    expect(report.exitCode).toBe(1);
    const slo = report.slos.find((s) => s.id === "no-lost-writes")!;
    expect(slo.verdict).toBe("fail");
    expect(slo.observed).toBe(sets.acknowledged.length);
    expect(report.dataLoss.lost).toBe(sets.acknowledged.length);
    expect(sets.acknowledged.length).toBeGreaterThan(100);
    const ledger = (await readFile(join(run.reportsDir, "latest", "ledger.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { outcome: string; atMs: number });
    const ackedAfterKill = ledger.filter((l) => l.outcome === "ok" && l.atMs > kill.injectedAtMs).length;
    expect(ackedAfterKill).toBe(0);
    console.log(`wiped store: ${report.verdict.toUpperCase()} exit ${report.exitCode}, acknowledged ${sets.acknowledged.length}, lost ${report.dataLoss.lost}; ${slo.why}`);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });

  it("times outages from the ops to within 250 ms of the ground truth (a 10 s balancer kill, a 3 s pause)", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-outage-ground-truth.ts", "--seed", "5"]);
    const report = await readLatestReport(run.reportsDir);
    expect(report.status).toBe("completed");
    const history = await historyOf(run.reportsDir);
    const truth = (id: string) => {
      const f = history.faults.find((x) => x.id === id)!;
      return f.healedAtMs! - f.injectedAtMs;
    };
    const kill = report.slos.find((s) => s.id === "outage-kill")!;
    const pause = report.slos.find((s) => s.id === "outage-pause")!;
    const killError = kill.observed! - truth("kill-lb");
    const pauseError = pause.observed! - truth("pause-lb");
    console.log(`balancer kill: truth ${truth("kill-lb")} ms (death event to ready probe), reported ${kill.observed} ms, error ${killError} ms; ${kill.why}`);
    console.log(`balancer pause: truth ${truth("pause-lb")} ms (pause to unpause), reported ${pause.observed} ms, error ${pauseError} ms; ${pause.why}`);
    // The kill's truth ends at the ready probe, polled every 100 ms after the start, so it runs late by up to a poll
    // plus the probe's own latency; ops run every 20 ms. 250 ms covers both on a loaded 2-core machine.
    expect(Math.abs(killError)).toBeLessThan(250);
    expect(Math.abs(pauseError)).toBeLessThan(250);
    // Sharper: the outage starts within 100 ms of the death event and ends between the container's start event
    // (nothing can answer before it) and the ready probe (which saw it answer).
    const killRecord = history.faults.find((x) => x.id === "kill-lb")!;
    const started = history.containerEvents.find((e) => e.node === "lb" && e.action === "start" && e.atMs > killRecord.injectedAtMs)!;
    expect(Math.abs(kill.bounds!.firstNotOk!.startMs - killRecord.injectedAtMs)).toBeLessThan(100);
    expect(kill.bounds!.firstOkAfter!.endMs).toBeGreaterThanOrEqual(started.atMs);
    expect(kill.bounds!.firstOkAfter!.endMs).toBeLessThanOrEqual(killRecord.healedAtMs! + 50);
    console.log(`balancer kill: outage began ${kill.bounds!.firstNotOk!.startMs - killRecord.injectedAtMs} ms after the death event, ended ${kill.bounds!.firstOkAfter!.endMs - started.atMs} ms after the start event`);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });
});
