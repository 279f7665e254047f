import { describe, expect, it } from "vitest";
import { runIdentityScenario, verdicts } from "../support/identity-run.ts";

/**
 * The Redis primary's AOF disk full (scenarios/identity/primary-disk-full*.ts): what Redis does with a write it
 * cannot write, whether clients see it, and whether anything acknowledged is lost.
 */
describe("identity: primary's AOF disk full (integration)", () => {
  it("appendfsync everysec: writes refused with MISCONF, PING too, so Sentinel fails over; nothing lost", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/primary-disk-full.ts");
    const { clients, people } = figures.byTraffic;
    console.info(
      `everysec: failover ${figures.failoverMs} ms (clients), sentinel ${JSON.stringify(figures.sentinel)}; lost ${clients!.lost}+${people!.lost}; during ${JSON.stringify(clients!.causesDuringFault)}`,
    );
    expect(figures.fault!.targets).toEqual(["id-1"]);
    const split = figures.sentinel.splitVotes > 0;
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(split ? 1 : 0);
    expect(verdicts(report)).toEqual({
      "no-client-write-lost": "pass",
      "no-person-write-lost": "pass",
      "tokens-validate": "pass",
      "servers-converge": "pass",
      "failover-within-promise": split ? "fail" : "pass",
    });
    // Clients saw it as 503 answers (the app's answer to MISCONF) until Sentinel, whose PINGs got MISCONF too,
    // failed over to a replica.
    expect(clients!.causesDuringFault.http_503).toBeGreaterThan(0);
    expect(figures.sentinel.newPrimary).toMatch(/^id-[23]$/);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });

  it("appendfsync always: Redis exits on the failed write, its supervisor gives up after 5 starts, Sentinel fails over; nothing lost", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/primary-disk-full-always.ts");
    const { clients, people } = figures.byTraffic;
    console.info(
      `always: failover ${figures.failoverMs} ms (clients), sentinel ${JSON.stringify(figures.sentinel)}; lost ${clients!.lost}+${people!.lost}; unknown ${clients!.unknown}; ` +
        report.slos.map((s) => `${s.id} ${s.verdict}: ${s.why}`).join(" | "),
    );
    // The convergence read of id-1 cannot be made (unknown); the failover SLO fails when the election split.
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(figures.sentinel.splitVotes > 0 ? 1 : 4);
    expect(figures.sentinel.newPrimary).toMatch(/^id-[23]$/);
    expect(verdicts(report)).toMatchObject({ "no-client-write-lost": "pass", "no-person-write-lost": "pass" });
    expect(clients!.lost + people!.lost).toBe(0);
    // id-1's Redis stays down (given up), so its convergence read could not be made; a replica is primary.
    const convergence = report.slos.find((s) => s.id === "servers-converge")!;
    expect(convergence.verdict).toBe("unknown");
    expect(convergence.why).toMatch(/id-1 \(/);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });
});
