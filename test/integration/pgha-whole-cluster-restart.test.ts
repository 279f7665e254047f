import { describe, expect, it } from "vitest";
import { pghaDbNodes, pghaEtcdNodes } from "../../systems/pgha/topology.ts";
import { acknowledgedBetween, lostWrites, runPgha, slo } from "../support/pgha-run.ts";
import { exitFor, expectConvergedOn, fault, loopWaitMs, nightly, slackMs, summary, ttlMs } from "../support/pgha-expect.ts";

/**
 * Power loss on real containers (nightly, HAVOC_NIGHTLY=1): every PostgreSQL node and etcd member SIGKILLed at once at
 * 15 s and started again 5 s later, in both replication modes.
 */
describe.runIf(nightly)("pgha: whole cluster restarted at once (integration)", () => {
  for (const mode of ["sync", "async"] as const) {
    it(`${mode} mode: writes work again once the cluster is back; ${mode === "sync" ? "nothing" : "at most the former leader's last commits"} acknowledged lost`, async () => {
      const pgha = await runPgha(`scenarios/pgha/whole-cluster-restart-${mode}.ts`);
      const { report, history, run } = pgha;
      const restart = fault(pgha, "restart-cluster");
      const cluster: string[] = [...pghaDbNodes, ...pghaEtcdNodes];
      // All six died of SIGKILL and started again; nothing else in the topology did.
      const deathsAtMs = cluster.map((node) => {
        const deaths = history.containerEvents.filter((e) => e.node === node && e.action === "die" && e.atMs >= 0);
        expect(deaths.map((e) => e.exitCode), node).toEqual([137]);
        return deaths[0]!.atMs;
      });
      expect(history.containerEvents.filter((e) => e.action === "die" && e.atMs >= 0 && !cluster.includes(e.node))).toEqual([]);
      // Writes come back after the cluster was started again and, once every node was ready (the heal), within one
      // expiry of the restarted leader's key plus an HA loop (bounds from the run's own times: container starts and
      // crash recovery are slow on a loaded machine).
      const startedAtMs = Math.min(...history.containerEvents.filter((e) => cluster.includes(e.node) && e.action === "start" && e.atMs > restart.injectedAtMs).map((e) => e.atMs));
      const writesBack = slo(report, "writes-back");
      expect(writesBack.observed, writesBack.why).not.toBeNull();
      const backAtMs = restart.injectedAtMs + writesBack.observed!;
      expect(backAtMs).toBeGreaterThanOrEqual(startedAtMs - slackMs);
      expect(backAtMs).toBeLessThanOrEqual(restart.healedAtMs! + ttlMs + loopWaitMs + 3 * slackMs);
      const leader = history.writes.devices!.readback!.node!;
      const lost = lostWrites(pgha);
      expect(report.dataLoss.lost).toBe(lost.length);
      expect(slo(report, "no-acknowledged-write-lost").verdict).toBe(lost.length > 0 ? "fail" : "pass");
      if (mode === "sync") {
        expect(lost).toEqual([]);
      } else {
        // Only what the former leader (pg-1) acknowledged while the others were already dying can be missing, and only
        // when another node won the race.
        if (leader === "pg-1") expect(lost).toEqual([]);
        const lastDeathMs = Math.max(...deathsAtMs);
        expect(lost.every((w) => w.atMs >= restart.calledAtMs - slackMs && w.atMs <= lastDeathMs)).toBe(true);
        expect(lost.length).toBeLessThanOrEqual(acknowledgedBetween(pgha, restart.calledAtMs - slackMs, lastDeathMs));
      }
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(exitFor(report));
      expect(report.dataLoss.acknowledged).toBeGreaterThan(1_000);
      await expectConvergedOn(pgha, leader);
      console.info(summary(pgha, { writesBackMs: writesBack.observed!, afterAllReadyMs: backAtMs - restart.healedAtMs!, leader }));
    });
  }
});
