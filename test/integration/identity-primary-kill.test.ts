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
    // Sentinel's promise (down-after 2 s + an election) holds for Sentinel itself unless its election splits (two
    // Sentinels vote for themselves in the same epoch: it retries 2 x failover-timeout = 20 s after it started).
    const split = figures.sentinel.splitVotes > 0;
    expect(figures.sentinel.newPrimary).toMatch(/^id-[23]$/);
    expect(figures.sentinel.failoverMs).toBeGreaterThanOrEqual(2_000);
    if (!split) expect(figures.sentinel.failoverMs).toBeLessThanOrEqual(5_000);
    // The clients' own recovery (the failover SLO) is judged, and cannot come before there is a new primary.
    const failover = report.slos.find((s) => s.id === "failover-within-promise")!;
    expect(failover.verdict).not.toBe("error");
    if (figures.failoverMs !== null) expect(figures.failoverMs).toBeGreaterThanOrEqual(figures.sentinel.failoverMs! - 1_000);
    // Whatever the timing, nothing acknowledged is lost and the old primary rejoins as a replica of the new one.
    expect(verdicts(report)).toMatchObject({ "no-client-write-lost": "pass", "no-person-write-lost": "pass", "tokens-validate-at-once": "pass", "servers-converge": "pass" });
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(failover.verdict === "pass" ? 0 : failover.verdict === "fail" ? 1 : 4);
    expect(report.slos.find((s) => s.id === "servers-converge")!.why).toMatch(/ids on id-[23]$/);
    expect(clients!.acknowledged + people!.acknowledged).toBeGreaterThan(500);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });
});
