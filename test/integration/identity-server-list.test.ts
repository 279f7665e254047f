import { describe, expect, it } from "vitest";
import { nightly } from "../support/nightly.ts";
import { runIdentityScenario, verdicts } from "../support/identity-run.ts";

/**
 * The clients' own failover (scenarios/identity/first-server-dies.ts): the first server of every client's list
 * dies. Sticky clients pay one refused attempt each; in-order clients pay one on every request.
 */
describe.runIf(nightly)("identity: the first server of the clients' list dies (integration)", () => {
  it("every request still succeeds; sticky clients' error rate is a blip, in-order clients' about one attempt in two", async () => {
    const { run, report, figures, leftovers } = await runIdentityScenario("scenarios/identity/first-server-dies.ts");
    const fault = figures.fault!;
    const sticky = figures.byTraffic.sticky!;
    const inOrder = figures.byTraffic["in-order"]!;
    console.info(`${report.slos.map((s) => `${s.id} ${s.verdict} ${s.observed}`).join(", ")}; during: sticky ${JSON.stringify(sticky.causesDuringFault)}, in-order ${JSON.stringify(inOrder.causesDuringFault)}`);
    expect(fault.targets).toEqual(["id-2"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    expect(verdicts(report)).toMatchObject({
      "sticky-attempts-ok-during": "pass",
      "in-order-attempts-ok-during": "fail",
      "no-sticky-write-lost": "pass",
      "no-in-order-write-lost": "pass",
    });
    // The longest outage is judged over the run; iterations k6 could not start on a loaded machine make it unknown.
    expect(["pass", "unknown"]).toContain(verdicts(report)["sticky-outage"]);
    // In-order clients: each request's first attempt is refused by the dead server, the second answered: about half.
    const okPercent = report.slos.find((s) => s.id === "in-order-attempts-ok-during")!.observed!;
    expect(okPercent).toBeGreaterThan(35);
    expect(okPercent).toBeLessThan(65);
    expect(inOrder.causesDuringFault.refused).toBeGreaterThan(100);
    // Sticky clients were refused at most once each (60 clients), then stayed on the next server.
    expect(sticky.causesDuringFault.refused ?? 0).toBeLessThanOrEqual(60);
    // Every request still succeeded on some server: no write was refused everywhere, none lost.
    expect(sticky.failed + inOrder.failed).toBe(0);
    expect(sticky.lost + inOrder.lost).toBe(0);
    expect(leftovers).toEqual({ containers: 0, networks: 0 });
  });
});
