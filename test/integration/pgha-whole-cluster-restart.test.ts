import { describe, expect, it } from "vitest";
import { pghaDbNodes, pghaEtcdNodes } from "../../env/systems/pgha/topology.ts";
import { runPgha, slo } from "../support/pgha-run.ts";
import { expectConvergedOn, fault, nightly, summary } from "../support/pgha-expect.ts";

/**
 * Power loss on real containers (nightly, HAVOC_NIGHTLY=1): every PostgreSQL node and etcd member SIGKILLed at once at
 * 15 s and started again 5 s later. Run in both replication modes: an fsynced commit on the primary survives a crash
 * whichever way it replicates.
 */
describe.runIf(nightly)("pgha: whole cluster restarted at once (integration)", () => {
  for (const mode of ["sync", "async"] as const) {
    it(`${mode} mode: writes work again after the restart and nothing acknowledged is lost`, async () => {
      const pgha = await runPgha(`scenarios/pgha/whole-cluster-restart-${mode}.ts`);
      const { report, history, run } = pgha;
      const restart = fault(pgha, "restart-cluster");
      const cluster: string[] = [...pghaDbNodes, ...pghaEtcdNodes];
      // All six died of SIGKILL and started again; nothing else in the topology did.
      for (const node of cluster) {
        const deaths = history.containerEvents.filter((e) => e.node === node && e.action === "die" && e.atMs >= 0);
        expect(deaths.map((e) => e.exitCode), node).toEqual([137]);
      }
      expect(history.containerEvents.filter((e) => e.action === "die" && e.atMs >= 0 && !cluster.includes(e.node))).toEqual([]);
      // No write succeeds before the cluster is started again, and writes are back within the claim after that.
      const startedAtMs = Math.min(...history.containerEvents.filter((e) => cluster.includes(e.node) && e.action === "start" && e.atMs > restart.injectedAtMs).map((e) => e.atMs));
      const writesBack = slo(report, "writes-back");
      expect(writesBack.observed).not.toBeNull();
      expect(restart.injectedAtMs + writesBack.observed!).toBeGreaterThanOrEqual(startedAtMs - 1_000);
      expect(writesBack.verdict).toBe("pass");
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
      expect(report.dataLoss.lost).toBe(0);
      expect(report.dataLoss.acknowledged).toBeGreaterThan(1_000);
      // Whoever leads now (the former leader takes its key back when it is still there), every node agrees with it.
      await expectConvergedOn(pgha, history.writes.devices!.readback!.node!);
      console.info(summary(pgha, { writesBackMs: writesBack.observed!, leader: history.writes.devices!.readback!.node!, afterStartMs: restart.injectedAtMs + writesBack.observed! - startedAtMs }));
    });
  }
});
