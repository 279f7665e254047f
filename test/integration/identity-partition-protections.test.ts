import { describe, expect, it } from "vitest";
import { nightly } from "../support/nightly.ts";
import { runIdentityScenario, verdicts } from "../support/identity-run.ts";

/**
 * The two protections the identity design may rely on against a partitioned primary, on real containers
 * (scenarios/identity/primary-partition-*.ts; the unprotected case is identity-partition.test.ts).
 */
describe.runIf(nightly)("identity: protections against a partitioned primary (integration)", () => {
  it("WAIT 1: the cut-off primary acknowledges nothing, so nothing acknowledged is lost", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/primary-partition-wait.ts");
    const { clients, people } = figures.byTraffic;
    console.info(
      `WAIT 1: clients ${clients!.acknowledged} acknowledged, ${clients!.lost} lost, ${clients!.unknown} unknown; during the cut ${JSON.stringify(clients!.acknowledgedDuringFaultByNode)}; ` +
        `failover ${figures.failoverMs} ms (clients), sentinel ${JSON.stringify(figures.sentinel)}`,
    );
    expect([0, 1], run.stderr.slice(-3000)).toContain(run.exitCode);
    expect(verdicts(report)).toMatchObject({ "no-client-write-lost": "pass", "no-person-write-lost": "pass", "tokens-validate": "pass", "servers-converge": "pass" });
    expect(clients!.acknowledged).toBeGreaterThan(300);
    expect(clients!.lost + people!.lost).toBe(0);
    // How it held: the isolated primary's app answered 504 (WAIT short of its replica) instead of acknowledging.
    expect(clients!.acknowledgedDuringFaultByNode["id-1"] ?? 0).toBe(0);
    expect(clients!.unknown).toBeGreaterThan(0);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });

  it("min-replicas-to-write 1 (max lag 10 s): the cut-off primary acknowledges for about 10 s, and those writes are lost", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/primary-partition-min-replicas.ts");
    const { clients, people } = figures.byTraffic;
    const fault = figures.fault!;
    console.info(`min-replicas: clients lost ${clients!.lost} of ${clients!.acknowledged} (${JSON.stringify(clients!.lostBetweenMs)} ms, cut called at ${fault.calledAtMs} ms); sentinel ${JSON.stringify(figures.sentinel)}`);
    if (figures.sentinel.switchMasterAtMs === null || figures.sentinel.switchMasterAtMs >= fault.healedAtMs!) {
      // The majority's Sentinels split their vote: no new primary, so what the old one took is kept. Only the
      // failover promise can fail then, and the exit code follows it.
      expect(figures.sentinel.splitVotes).toBeGreaterThanOrEqual(1);
      expect(clients!.lost + people!.lost).toBe(0);
      expect(verdicts(report)).toMatchObject({ "no-client-write-lost": "pass", "servers-converge": "pass" });
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(verdicts(report)["failover-within-promise"] === "fail" ? 1 : 0);
      expect(leftovers).toEqual({ containers: 0, networks: 0 });
      return;
    }
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    expect(verdicts(report)).toMatchObject({ "no-client-write-lost": "fail", "servers-converge": "pass" });
    expect(clients!.lost).toBeGreaterThan(20);
    expect(Object.keys(clients!.lostByNode)).toEqual(["id-1"]);
    // The loss is bounded by min-replicas-max-lag: the replicas' last acknowledgement came at the latest when the
    // rules went in; 10 s later (+ one 1 s ack period) the primary refuses. Nothing lost is acknowledged after that.
    const [firstMs, lastMs] = clients!.lostBetweenMs!;
    expect(firstMs).toBeGreaterThanOrEqual(fault.calledAtMs - 2_000);
    expect(lastMs).toBeLessThanOrEqual(fault.injectedAtMs + 10_000 + 1_000 + 2_000);
    // ...and it is that window: writes were acknowledged (then lost) well after the cut, not only in its first second.
    expect(lastMs).toBeGreaterThanOrEqual(fault.calledAtMs + 8_000);
    expect(figures.divergedNodes).toEqual([]);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });
});
