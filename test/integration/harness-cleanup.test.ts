import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRng } from "../../core/rng.ts";
import { findLoadProcesses } from "../../env/processes/orphan-load.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { leftovers, runHavoc } from "../support/run-cli.ts";
import { eventTypes, pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

const scenario = "test/fixtures/trackr-short-kill.ts";

async function readReport(runDir: string): Promise<RunReport> {
  return RunReport.parse(JSON.parse(await readFile(join(runDir, "report.json"), "utf8")));
}

describe("the harness cleans up on every way a run ends (integration)", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s during a fault heals, tears down, writes an aborted report and exits %i within 15 s", async (signal, exitCode) => {
    const reportsDir = await mkdtemp(join(tmpdir(), "havoc-signal-"));
    const run = spawnHavoc(["run", scenario, "--seed", "3", "--reports", reportsDir]);
    const faultOn = await pollUntil(() => runDirs(reportsDir).some((d) => eventTypes(d).includes("fault-injected")), 120_000);
    expect(faultOn, run.stderr().slice(-2000)).toBe(true);
    const sentAt = Date.now();
    run.child.kill(signal);
    const exit = await run.exited;
    expect(exit.code, run.stderr().slice(-2000)).toBe(exitCode);
    expect(exit.atMs - sentAt).toBeLessThan(15_000);
    const [runDir] = runDirs(reportsDir);
    const report = await readReport(runDir!);
    expect(report.status).toBe("aborted");
    expect(report.verdict).not.toBe("pass");
    // One story: the report, the table's last line and the process agree on the exit code.
    expect(report.exitCode).toBe(exitCode);
    expect(run.stdout().trimEnd().split("\n").at(-1)).toBe(`verdict: UNKNOWN (exit ${exitCode})`);
    // Nothing of a cut-short run is judged, and its windows end where it ended (the plan ran 30 s of traffic).
    expect(report.slos.map((s) => s.verdict)).toEqual(["unknown", "unknown"]);
    for (const slo of report.slos) expect(slo.why).toMatch(new RegExp(`^not judged: interrupted by ${signal} during traffic, \\d+\\.\\d s into traffic`));
    expect(report.trafficEndMs).toBeLessThan(30_000);
    expect(eventTypes(runDir!)).toContain("abort");
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    expect((await findLoadProcesses()).filter((p) => p.runId === report.runId)).toEqual([]);
  });

  it("SIGKILLed at seeded random moments over 10 runs: `havoc clean` leaves nothing of theirs", async () => {
    const rng = createRng(61);
    const reportsDir = await mkdtemp(join(tmpdir(), "havoc-sigkill-"));
    const killedAfterMs: number[] = [];
    // k6 processes seen alive just before a kill: proves the sweep's way of finding them works at all.
    const k6SeenBeforeKill = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const delayMs = 1_000 + rng.int(17_000);
      killedAfterMs.push(delayMs);
      const before = new Set(runDirs(reportsDir));
      const run = spawnHavoc(["run", scenario, "--seed", String(i), "--reports", reportsDir]);
      const startedAt = Date.now();
      // Wait for the chosen moment (or an earlier end), then kill: a timer on purpose, the moment is the test input.
      await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, delayMs))]);
      for (const p of await findLoadProcesses()) if (p.ownerPid === run.child.pid) k6SeenBeforeKill.add(p.runId);
      run.child.kill("SIGKILL");
      await run.exited;
      expect(Date.now() - startedAt).toBeLessThan(60_000);
      expect(runDirs(reportsDir).filter((d) => !before.has(d)).length).toBeLessThanOrEqual(1);
    }
    const runIds = runDirs(reportsDir).map((d) => basename(d));
    expect(runIds.length).toBeGreaterThanOrEqual(8);
    const clean = await runHavoc(["clean"]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    const left = await Promise.all(runIds.map(async (id) => ({ id, ...(await leftovers(id)) })));
    expect(left.filter((l) => l.containers + l.networks > 0)).toEqual([]);
    expect(k6SeenBeforeKill.size, `kill moments ${killedAfterMs.join(", ")} ms`).toBeGreaterThan(0);
    const load = (await findLoadProcesses()).filter((p) => runIds.includes(p.runId));
    expect(load).toEqual([]);
    // The record survives: a killed run that reached traffic re-renders as an incomplete, never-passing report.
    const withTraffic = runDirs(reportsDir).find((d) => eventTypes(d).includes("traffic-started"));
    expect(withTraffic, `kill moments ${killedAfterMs.join(", ")} ms`).toBeDefined();
    const rerender = await runHavoc(["report", withTraffic!]);
    expect(rerender.exitCode, rerender.stderr).toBe(0);
    const report = await readReport(withTraffic!);
    expect(report.status).toBe("incomplete");
    expect(report.verdict).not.toBe("pass");
  });
});
