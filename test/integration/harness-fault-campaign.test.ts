import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRng } from "../../core/rng.ts";
import { leftovers, runHavoc } from "../support/run-cli.ts";
import { nightly } from "../support/nightly.ts";
import { pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

/**
 * Faults injected into the harness itself (nightly): a seeded campaign over every stage of a real run. Each fault is
 * SIGINT, SIGTERM or SIGKILL sent, or the run's own filesystem filled (a tmpfs of its own, ENOSPC), a moment after
 * the run enters the chosen stage. Expected: 130 / 143 / killed (then `havoc clean`) / 3, one line naming the cause,
 * no stack trace, 0 containers and networks of the run left. The table goes to $HAVOC_CAMPAIGN_TABLE (default
 * a file under the OS temp folder) and the log. HAVOC_CAMPAIGN_FAULTS sets the count (default 100).
 */
const scenario = "test/fixtures/trackr-brief.ts";
const FAULTS = Number(process.env.HAVOC_CAMPAIGN_FAULTS ?? 100);
const KINDS = ["SIGINT", "SIGTERM", "SIGKILL", "ENOSPC"] as const;
const STAGES = ["bootstrap", "starting", "traffic", "readback", "checks", "reporting"] as const;
type Kind = (typeof KINDS)[number];
const expectedExit: Record<Kind, number | null> = { SIGINT: 130, SIGTERM: 143, SIGKILL: null, ENOSPC: 3 };

interface Row {
  kind: Kind;
  stage: string;
  injected: boolean;
  exit: number | null;
  expected: boolean;
  leftovers: number;
  message: string;
}

function phases(runDir: string | undefined): string[] {
  if (!runDir) return [];
  try {
    return execFileSync("cat", [join(runDir, "events.ndjson")], { encoding: "utf8" })
      .split("\n")
      .flatMap((line) => {
        try {
          const e = JSON.parse(line) as { type: string; phase?: string };
          return e.type === "phase" && e.phase ? [e.phase] : [];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
}

async function fill(dir: string): Promise<void> {
  const file = await open(join(dir, "filler"), "w");
  const block = Buffer.alloc(1 << 20, 0x61);
  try {
    for (;;) await file.write(block);
  } catch {
    // ENOSPC: full.
  } finally {
    await file.close().catch(() => undefined);
  }
}

async function oneFault(kind: Kind, stage: string, delayMs: number, seed: number): Promise<Row> {
  const reportsDir = await mkdtemp(join(tmpdir(), "havoc-campaign-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", reportsDir]);
  try {
    const run = spawnHavoc(["run", scenario, "--seed", String(seed), "--reports", reportsDir]);
    let ended = false;
    void run.exited.then(() => (ended = true));
    const reached = await pollUntil(() => ended || phases(runDirs(reportsDir)[0]).includes(stage), 180_000);
    let injected = false;
    if (reached && !ended) {
      await new Promise((resolve) => setTimeout(resolve, delayMs)); // the moment inside the stage: the test's input
      if (!ended) {
        injected = true;
        if (kind === "ENOSPC") await fill(reportsDir);
        else run.child.kill(kind);
      }
    }
    const exit = await run.exited;
    const runDir = runDirs(reportsDir)[0];
    const runId = basename(runDir ?? "none");
    // A disk filled after the run's last write took nothing from it: every file is there, exit 0 is right, and
    // the fault is not counted (as one drawn for a stage the run had already left).
    if (kind === "ENOSPC" && injected && exit.code === 0 && runDir && ["report.json", "timeline.png", "history.json"].every((f) => existsSync(join(runDir, f)))) injected = false;
    if (kind === "SIGKILL" && injected) {
      const clean = await runHavoc(["clean"]);
      expect(clean.exitCode, clean.stderr).toBe(0);
    }
    const left = await leftovers(runId);
    const stderr = run.stderr();
    const message = kind === "ENOSPC" ? (stderr.split("\n").find((l) => l.includes("the harness could not")) ?? "").replace(/^\[havoc\] (warning: )?/, "").slice(0, 110) : kind === "SIGKILL" ? "(killed)" : (run.stdout().trimEnd().split("\n").at(-1) ?? "");
    const stack = /^\s+at .+:\d+:\d+\)?$/m.test(stderr);
    const code = exit.code;
    // A signal's last printed line states the exit code the process returned; a full disk names itself.
    const says = kind === "ENOSPC" ? message.includes("the harness could not") : kind === "SIGKILL" || message.endsWith(`(exit ${code})`);
    // A run the fault missed (it had left the stage) must have passed on its own, or the campaign tests nothing.
    const expected = injected ? code === expectedExit[kind] && !stack && says : code === 0;
    if (!expected) process.stderr.write(`campaign: unexpected ${kind} at ${stage}: exit ${code}\n--- stdout\n${run.stdout().slice(-1500)}\n--- stderr\n${stderr.slice(-2500)}\n`);
    return { kind, stage, injected, exit: code, expected, leftovers: left.containers + left.networks, message };
  } finally {
    execFileSync("umount", [reportsDir]);
    await rm(reportsDir, { recursive: true, force: true });
  }
}

describe.runIf(nightly && process.getuid?.() === 0)("the harness under its own faults: a seeded campaign (nightly)", () => {
  it(`${FAULTS} faults over every stage end at their exit code with nothing left`, async () => {
    const rng = createRng(26);
    const tablePath = process.env.HAVOC_CAMPAIGN_TABLE ?? join(tmpdir(), "havoc-harness-campaign.md");
    const rows: Row[] = [];
    for (let i = 0; rows.filter((r) => r.injected).length < FAULTS && i < FAULTS * 2; i++) {
      const kind = KINDS[rng.int(KINDS.length)]!;
      const stage = STAGES[rng.int(STAGES.length)]!;
      rows.push(await oneFault(kind, stage, rng.int(1_500), i));
      // After every fault: a campaign stopped early still leaves its table so far.
      await writeFile(tablePath, summarize(rows));
    }
    const table = summarize(rows);
    process.stderr.write(table);
    expect(rows.filter((r) => !r.expected)).toEqual([]);
    expect(rows.filter((r) => r.leftovers > 0)).toEqual([]);
    expect(rows.filter((r) => r.injected).length).toBeGreaterThanOrEqual(Math.min(FAULTS, rows.length));
  }, 6 * 3_600_000);
});

function summarize(rows: readonly Row[]): string {
  const groups = new Map<string, Row[]>();
  for (const r of rows.filter((x) => x.injected)) groups.set(`${r.kind} | ${r.stage}`, [...(groups.get(`${r.kind} | ${r.stage}`) ?? []), r]);
  const lines = ["| fault | stage | runs | exit codes seen | as expected | leftovers | message (first) |", "| --- | --- | --- | --- | --- | --- | --- |"];
  for (const [key, rs] of [...groups.entries()].sort()) {
    const codes = [...new Set(rs.map((r) => (r.exit === null ? "killed" : String(r.exit))))].join(", ");
    lines.push(`| ${key} | ${rs.length} | ${codes} | ${rs.filter((r) => r.expected).length}/${rs.length} | ${rs.reduce((n, r) => n + r.leftovers, 0)} | ${rs[0]!.message.replace(/\|/g, "/")} |`);
  }
  const notInjected = rows.filter((r) => !r.injected).length;
  lines.push("", `${rows.filter((r) => r.injected).length} faults injected; ${notInjected} drawn for a stage the run had already left (not counted)`);
  return lines.join("\n") + "\n";
}
