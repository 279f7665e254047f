import { execFileSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { RunEvent } from "../../core/run-events.ts";
import { ensureEnvironment } from "../../env/bootstrap/ensure-environment.ts";
import { pingDocker } from "../../env/docker/client.ts";
import { findLoadProcesses } from "../../env/processes/orphan-load.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { leftovers, runHavoc } from "../support/run-cli.ts";
import { eventTypes, pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

/**
 * When the harness loses control of a run, the experiment is void: ERROR (exit 3), every SLO row marked void, the
 * report saying from when. Real runs: the load generator SIGKILLed mid-run, and the container engine killed mid-run
 * (this one stops every container on the machine: CI runs it alone; locally it takes other runs down with it).
 */
const scenario = "test/fixtures/trackr-short-kill.ts";

async function events(runDir: string): Promise<RunEvent[]> {
  const text = await readFile(join(runDir, "events.ndjson"), "utf8");
  return text.trim().split("\n").flatMap((l) => {
    const parsed = RunEvent.safeParse(JSON.parse(l));
    return parsed.success ? [parsed.data] : [];
  });
}

async function startRun(tag: string) {
  const reportsDir = await mkdtemp(join(tmpdir(), `havoc-void-${tag}-`));
  const run = spawnHavoc(["run", scenario, "--seed", "4", "--reports", reportsDir]);
  const faultOn = await pollUntil(() => runDirs(reportsDir).some((d) => eventTypes(d).includes("fault-injected")), 180_000);
  expect(faultOn, run.stderr().slice(-2000)).toBe(true);
  const [runDir] = runDirs(reportsDir);
  const origin = (await events(runDir!)).find((e) => e.type === "traffic-started") as Extract<RunEvent, { type: "traffic-started" }>;
  return { run, runDir: runDir!, originEpochMs: origin.originEpochMs };
}

async function voidReport(runDir: string, lostAtMs: number, reason: RegExp, toleranceMs: number): Promise<RunReport> {
  const report = RunReport.parse(JSON.parse(await readFile(join(runDir, "report.json"), "utf8")));
  expect(report).toMatchObject({ status: "error", verdict: "error", exitCode: 3 });
  expect(report.void?.reason).toMatch(reason);
  expect(Math.abs(report.void!.fromMs! - lostAtMs)).toBeLessThan(toleranceMs);
  expect(report.slos.length).toBeGreaterThan(0);
  for (const slo of report.slos) {
    expect(slo.verdict, slo.id).toBe("error");
    expect(slo.void, slo.id).toEqual(report.void);
    expect(slo.why).toMatch(/^VOID \(/);
  }
  expect(await readFile(join(runDir, "summary.md"), "utf8")).toContain("**VOID experiment:**");
  return report;
}

describe("void experiments (integration)", () => {
  it("a load generator SIGKILLed mid-run voids the run from its death: ERROR, exit 3, no PASS row", async () => {
    const { run, runDir, originEpochMs } = await startRun("k6");
    const k6 = (await findLoadProcesses()).filter((p) => p.ownerPid === run.child.pid);
    expect(k6.length).toBeGreaterThan(0);
    const killedAtMs = Date.now() - originEpochMs;
    for (const p of k6) process.kill(p.pid, "SIGKILL");
    const exit = await run.exited;
    expect(exit.code, run.stderr().slice(-2000)).toBe(3);
    const report = await voidReport(runDir, killedAtMs, /the load generator of devices died/, 1_000);
    console.log(`k6 killed at ${(killedAtMs / 1000).toFixed(3)} s: ${report.void!.reason}, void from ${report.void!.fromMs} ms`);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });

  it("the container engine killed mid-run voids the run (not a FAIL of the system), and `havoc clean` leaves nothing once it is back", async () => {
    const { run, runDir, originEpochMs } = await startRun("engine");
    const stoppedAtMs = Date.now() - originEpochMs;
    execFileSync("pkill", ["-KILL", "-x", "dockerd"]);
    const exit = await run.exited;
    expect(exit.code, run.stderr().slice(-3000)).toBe(3);
    // Two failed pings a second apart, each up to 2 s: the loss is dated from the first failed ping.
    const report = await voidReport(runDir, stoppedAtMs, /container engine stopped answering/, 3_000);
    console.log(`engine killed at ${(stoppedAtMs / 1000).toFixed(3)} s: void from ${report.void!.fromMs} ms; run exited after ${exit.atMs - originEpochMs - stoppedAtMs} ms`);
    expect(await pingDocker(1_000)).toBe(false);
    await ensureEnvironment({ docker: true }, createLogger("test"));
    const clean = await runHavoc(["clean"]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    expect((await findLoadProcesses()).filter((p) => p.runId === report.runId)).toEqual([]);
  });
});
