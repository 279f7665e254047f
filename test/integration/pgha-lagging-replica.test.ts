import { describe, expect, it } from "vitest";
import { failoverClaimMs, replicationDelayMs } from "../../systems/pgha/traffic.ts";
import { acknowledgedBetween, lostWrites, runPgha, slo } from "../support/pgha-run.ts";
import { expectConvergedOn, expectPromotionWithinTtl, fault, nightly, slackMs, summary } from "../support/pgha-expect.ts";

/**
 * Failover while replication lags, on real containers (nightly, HAVOC_NIGHTLY=1): every node reaches the others
 * through its own toxiproxy link; pg-1's link delays what it sends by 2 s from 10 s, and at 20 s the link is cut and
 * pg-1 SIGKILLed.
 */
describe.runIf(nightly)("pgha: failover to a lagging replica (integration)", () => {
  it("asynchronous mode: the promoted replica lacks the last ~2 s of acknowledged writes (FAIL, counted)", async () => {
    const pgha = await runPgha("scenarios/pgha/lagging-replica-async.ts");
    const { report, run } = pgha;
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const kill = fault(pgha, "kill-primary");
    expect(kill.targets).toEqual(["pg-1"]);
    // Replication really went through the link: the replicas were cloned and followed via pg-1-repl.
    expect((await pgha.logLines("pg-1", /PostgreSQL reachable at pg-1-repl:/)).length).toBeGreaterThan(0);
    // The lag costs async nothing while it lasts.
    expect(slo(report, "writes-while-replication-lags").observed).toBeGreaterThanOrEqual(99);
    const lost = lostWrites(pgha);
    expect(slo(report, "no-acknowledged-write-lost")).toMatchObject({ verdict: "fail", observed: lost.length });
    // What was lost is what was still in flight on the delayed link when pg-1 died and its link was cut: writes
    // started in the last delay (+ 1 s) before the kill.
    expect(lost.every((w) => w.atMs >= kill.calledAtMs - replicationDelayMs - slackMs && w.atMs <= kill.injectedAtMs)).toBe(true);
    expect(lost.length).toBeLessThanOrEqual(acknowledgedBetween(pgha, kill.calledAtMs - replicationDelayMs - slackMs, kill.injectedAtMs));
    // And nearly all of what the replicas could not have had: toxiproxy still delivered, until the cut, what pg-1 had
    // sent more than the delay before it, so every write acknowledged after (cut - delay) and before the kill is gone
    // (200 ms margins: the ledger has request start times, a commit comes some ms later).
    const linkCut = fault(pgha, "primary-link-cut");
    const unreplicated = acknowledgedBetween(pgha, linkCut.injectedAtMs - replicationDelayMs + 200, kill.injectedAtMs - 200);
    expect(unreplicated).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThanOrEqual(Math.floor(0.9 * unreplicated));
    const promoted = await expectPromotionWithinTtl(pgha, kill.injectedAtMs, "pg-1");
    expect(slo(report, "failover").observed).toBeLessThanOrEqual(failoverClaimMs);
    await expectConvergedOn(pgha, promoted.node);
    console.info(summary(pgha, { unreplicated, cutAfterKillMs: linkCut.injectedAtMs - kill.injectedAtMs, failoverMs: slo(report, "failover").observed!, promotedMs: promoted.atMs - kill.injectedAtMs, newLeader: promoted.node }));
  });

  it("synchronous mode: commits wait for the lagging standby (FAIL availability), which takes over with every acknowledged write", async () => {
    const pgha = await runPgha("scenarios/pgha/lagging-replica-sync.ts");
    const { report, run } = pgha;
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const lag = slo(report, "writes-while-replication-lags");
    expect(lag.verdict).toBe("fail");
    // At most 24 pooled connections / 2 s per commit = 12 of 40 writes a second can succeed.
    expect(lag.observed).toBeLessThan(50);
    expect(slo(report, "no-acknowledged-write-lost").verdict).toBe("pass");
    expect(report.dataLoss.lost).toBe(0);
    const kill = fault(pgha, "kill-primary");
    // pg-1 had no HA loop between losing its standby and dying, so its synchronous standby was still published
    // and is promoted.
    const promoted = await expectPromotionWithinTtl(pgha, kill.injectedAtMs, "pg-1");
    expect(slo(report, "failover").observed).toBeLessThanOrEqual(failoverClaimMs);
    await expectConvergedOn(pgha, promoted.node);
    console.info(summary(pgha, { lagAvailabilityPercent: lag.observed!, failoverMs: slo(report, "failover").observed!, newLeader: promoted.node }));
  });
});
