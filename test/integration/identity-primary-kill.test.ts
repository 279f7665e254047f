import { describe, expect, it } from "vitest";
import { runIdentityScenario, verdicts } from "../support/identity-run.ts";

/**
 * The primary's whole server SIGKILLed (scenarios/identity/primary-kill.ts): Sentinel's failover time against its
 * promise (down-after 2 s + an election), and what a restarted old primary does to acknowledged sessions.
 */
describe("identity: primary SIGKILLed (integration)", () => {
  it("fails over to a replica within the promise; the old primary rejoins as a replica; nothing acknowledged is lost", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/primary-kill.ts");
    const { clients, people } = figures.byTraffic;
    const fault = figures.fault!;
    console.info(`kill ${fault.targets} at ${fault.injectedAtMs} ms: failover ${figures.failoverMs} ms (clients), sentinel ${JSON.stringify(figures.sentinel)}; lost ${clients!.lost}+${people!.lost}; unknown ${clients!.unknown}+${people!.unknown}`);
    expect(fault.targets).toEqual(["id-1"]); // the primary's server: the role probe found it at injection
    // Sentinel's promise holds unless its election splits (two Sentinels vote for themselves in the same epoch);
    // then it retries only 2 x failover-timeout (20 s) after it started, and the failover SLO fails.
    const split = figures.sentinel.splitVotes > 0;
    expect(verdicts(report)).toEqual({
      "failover-within-promise": split ? "fail" : "pass",
      "no-client-write-lost": "pass",
      "no-person-write-lost": "pass",
      "tokens-validate-at-once": "pass",
      "servers-converge": "pass",
    });
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(split ? 1 : 0);
    // The failover was Sentinel's: a replica is primary afterwards, after at least down-after-milliseconds.
    expect(figures.sentinel.newPrimary).toMatch(/^id-[23]$/);
    expect(figures.sentinel.failoverMs).toBeGreaterThanOrEqual(2_000);
    if (!split) expect(figures.sentinel.failoverMs).toBeLessThanOrEqual(5_000);
    expect(report.slos.find((s) => s.id === "servers-converge")!.why).toMatch(/ids on id-[23]$/);
    expect(clients!.acknowledged + people!.acknowledged).toBeGreaterThan(500);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });
});
