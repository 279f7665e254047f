import { describe, expect, it } from "vitest";
import { acknowledgedBetween, lostWrites, promotion, runPgha, slo, type PghaRun } from "../support/pgha-run.ts";
import { failoverClaimMs } from "../../systems/pgha/traffic.ts";
import { exitFor, expectConvergedOn, fault, loopWaitMs, nightly, retryTimeoutMs, slackMs, summary } from "../support/pgha-expect.ts";

/**
 * The zombie primary on real containers (nightly, HAVOC_NIGHTLY=1): at 15 s pg-1, the first leader, is cut from the
 * three etcd members and both replicas while pgproxy and the apps still reach it, for 25 s.
 */

/** When pg-1's Patroni gave up on etcd and demoted itself, and when a replica took the leader key after the cut. */
async function demotionThenPromotion(pgha: PghaRun, cutCalledAtMs: number) {
  const demoting = (await pgha.logLines("pg-1", /demoting self because DCS is not accessible/)).find((l) => l.atMs > cutCalledAtMs);
  expect(demoting, "pg-1 never demoted itself").toBeDefined();
  const promoted = await promotion(pgha, ["pg-2", "pg-3"], cutCalledAtMs);
  expect(promoted, "no replica was promoted").toBeDefined();
  // Patroni's guarantee: the cut-off leader demotes before its key can expire, so two primaries never take writes.
  expect(promoted!.atMs).toBeGreaterThan(demoting!.atMs);
  return { demotedAtMs: demoting!.atMs, promoted: promoted! };
}

describe.runIf(nightly)("pgha: zombie primary (integration)", () => {
  it("asynchronous mode: the zombie acknowledges writes until Patroni demotes it; pg_rewind erases every one (FAIL, counted)", async () => {
    const pgha = await runPgha("scenarios/pgha/zombie-primary-async.ts");
    const { report, run } = pgha;
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const cut = fault(pgha, "isolate-primary");
    const { demotedAtMs, promoted } = await demotionThenPromotion(pgha, cut.calledAtMs);
    // It demotes within loop_wait + 2 x retry_timeout of the cut being in place (Patroni's bound), plus one loop's run.
    expect(demotedAtMs - cut.injectedAtMs).toBeLessThanOrEqual(loopWaitMs + 2 * retryTimeoutMs + slackMs);
    // The expected FAIL: what the zombie acknowledged after losing its replicas, and nothing else.
    const lost = lostWrites(pgha);
    const lostSlo = slo(report, "no-acknowledged-write-lost");
    expect(lostSlo.verdict).toBe("fail");
    expect(lostSlo.observed).toBe(lost.length);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((w) => w.atMs >= cut.calledAtMs && w.atMs <= demotedAtMs + slackMs)).toBe(true);
    // Every write it acknowledged once the cut was verified and before it demoted is gone (nearly: a write started in
    // the last instant may have been refused).
    const ackedByZombie = acknowledgedBetween(pgha, cut.injectedAtMs, demotedAtMs - 500);
    expect(ackedByZombie).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThanOrEqual(ackedByZombie);
    // The outage is the gap between demotion and election, not the whole cut.
    expect(slo(report, "longest-write-outage").observed).toBeLessThanOrEqual(failoverClaimMs);
    // pg-1 rejoined after the heal by rewinding its forked timeline, and now holds exactly the new leader's ids.
    const rewinds = await pgha.logLines("pg-1", new RegExp(`running pg_rewind from ${promoted.node}`));
    expect(rewinds.some((l) => l.atMs >= cut.healedAtMs! - slackMs)).toBe(true);
    await expectConvergedOn(pgha, promoted.node);
    console.info(summary(pgha, { demotedAfterCutMs: demotedAtMs - cut.injectedAtMs, promotedAfterCutMs: promoted.atMs - cut.injectedAtMs, ackedByZombie, outageMs: slo(report, "longest-write-outage").observed! }));
  });

  it("synchronous mode: the zombie's commits block until it demotes; a standby takes over and nothing acknowledged is lost", async () => {
    const pgha = await runPgha("scenarios/pgha/zombie-primary-sync.ts");
    const { report, run } = pgha;
    const cut = fault(pgha, "isolate-primary");
    const { demotedAtMs, promoted } = await demotionThenPromotion(pgha, cut.calledAtMs);
    // Once pg-1 could not reach its synchronous standby, not one write was acknowledged until the new leader took over.
    expect(acknowledgedBetween(pgha, cut.injectedAtMs, promoted.atMs)).toBe(0);
    expect(slo(report, "no-acknowledged-write-lost").verdict).toBe("pass");
    expect(report.dataLoss.lost).toBe(0);
    expect(report.dataLoss.acknowledged).toBeGreaterThan(1_500);
    // Writes stop at the cut (commits wait for the unreachable standby) and resume once a standby leads: at most
    // ttl + loop_wait + routing, the scenario's claim.
    const outage = slo(report, "longest-write-outage");
    expect(outage.observed, outage.why).toBeLessThanOrEqual(failoverClaimMs);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(exitFor(report));
    await expectConvergedOn(pgha, promoted.node);
    console.info(summary(pgha, { demotedAfterCutMs: demotedAtMs - cut.injectedAtMs, promotedAfterCutMs: promoted.atMs - cut.injectedAtMs, outageMs: outage.observed! }));
  });
});
