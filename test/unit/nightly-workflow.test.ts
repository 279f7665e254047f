import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { repoRoot, runHavoc } from "../support/run-cli.ts";
import { pastNight, runPass, type RecordedScenario } from "../support/shard-fixtures.ts";

/**
 * The nightly workflow's sharding, read as data (actionlint checks the syntax in workflow-lint.test.ts): a matrix of
 * shards on the project's self-hosted machines, each uploading its suite directory, and a merge job whose download
 * layout and `havoc suite merge` command fit together. The merge command is then run, as the job runs it, on shard
 * directories laid out as download-artifact lays them out.
 */

const Step = z.object({ name: z.string().optional(), uses: z.string().optional(), run: z.string().optional(), if: z.string().optional(), with: z.record(z.string(), z.unknown()).optional() });
const Job = z.object({
  "runs-on": z.array(z.string()),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.string().optional(),
  strategy: z.object({ "fail-fast": z.boolean(), matrix: z.object({ shard: z.array(z.number().int()) }) }).optional(),
  steps: z.array(Step),
});
const Workflow = z.object({ jobs: z.record(z.string(), Job) });

const workflow = Workflow.parse(parse(readFileSync(join(repoRoot, ".github/workflows/nightly.yml"), "utf8")));
const shardJob = workflow.jobs["shard"]!;
const mergeJob = workflow.jobs["merge"]!;
const step = (job: z.infer<typeof Job>, uses: string) => job.steps.filter((s) => s.uses?.startsWith(uses));

describe(".github/workflows/nightly.yml: shards and merge", () => {
  it("runs a matrix of shards 1..n on self-hosted havoc machines, each its --shard i/n of the nightly suite", () => {
    expect(shardJob["runs-on"]).toEqual(["self-hosted", "havoc"]);
    const shards = shardJob.strategy!.matrix.shard;
    expect(shards.length).toBeGreaterThanOrEqual(2);
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    // A failing shard must not cancel the others.
    expect(shardJob.strategy!["fail-fast"]).toBe(false);
    expect(shardJob.steps.map((s) => s.run).filter(Boolean)).toContain('npm run suite:nightly -- --shard "${{ matrix.shard }}/${{ strategy.job-total }}"');
    // Every shard restores the history (its partition is computed from it); none saves it.
    expect(step(shardJob, "actions/cache/restore@")).toHaveLength(1);
    expect(step(shardJob, "actions/cache/save@")).toHaveLength(0);
  });

  it("uploads each shard's suite directory under a name the merge job's download pattern matches", () => {
    const [upload] = step(shardJob, "actions/upload-artifact@");
    expect(upload?.with).toMatchObject({ path: "havoc-results/suites/" });
    expect(upload?.if).toBe("${{ !cancelled() }}");
    const name = String(upload?.with?.["name"]);
    expect(name).toContain("${{ matrix.shard }}");
    const [download] = step(mergeJob, "actions/download-artifact@");
    expect(download?.with?.["pattern"]).toBe(name.replace("${{ matrix.shard }}", "*"));
    // Without merge-multiple each artifact gets its own folder: shards/<artifact>/<suite id>/.
    expect(download?.with?.["merge-multiple"]).toBeUndefined();
    expect(download?.with?.["path"]).toBe("shards/");
  });

  it("merges after every shard, also failed ones, then publishes and saves the history once", () => {
    expect(mergeJob.needs).toBe("shard");
    expect(mergeJob.if).toBe("${{ !cancelled() }}");
    expect(mergeJob["runs-on"]).toEqual(["self-hosted", "havoc"]);
    const runs = mergeJob.steps.map((s) => s.run ?? "");
    expect(runs).toContain("node bin/havoc.js suite merge shards/*/*/ --name nightly --allow-missing");
    const order = (predicate: (s: z.infer<typeof Step>) => boolean) => mergeJob.steps.findIndex(predicate);
    const merge = order((s) => s.run?.includes("suite merge") === true);
    expect(order((s) => s.uses?.startsWith("actions/cache/restore@") === true)).toBeLessThan(merge);
    expect(order((s) => s.uses?.startsWith("actions/download-artifact@") === true)).toBeLessThan(merge);
    for (const after of ["actions/upload-artifact@", "mikepenz/action-junit-report@", "actions/cache/save@"]) expect(order((s) => s.uses?.startsWith(after) === true)).toBeGreaterThan(merge);
    const saves = Object.values(workflow.jobs).flatMap((job) => step(job, "actions/cache/save@"));
    expect(saves).toHaveLength(1);
  });
});

describe("the merge job's command on the download-artifact layout", () => {
  const recorded: RecordedScenario[] = [
    { name: "alpha", wallMs: 60_000 },
    { name: "beta", wallMs: 75_000 },
    { name: "gamma", wallMs: 90_000 },
  ];
  let root: string;
  const total = shardJob.strategy!.matrix.shard.length;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "havoc-nightly-"));
    for (let index = 1; index <= total; index++) {
      await runPass({ recorded, reportsDir: join(root, "machines", String(index)), history: [pastNight(recorded)], shard: { index, total }, repeat: 2 });
      // actions/upload-artifact of havoc-results/suites/, then download-artifact with a pattern into shards/.
      await cp(join(root, "machines", String(index), "suites"), join(root, "shards", `havoc-nightly-shard-${index}-42`), { recursive: true });
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** What the shell makes of `shards/*\/*\/`. */
  async function glob(skip: number | null = null): Promise<string[]> {
    const dirs: string[] = [];
    for (const artifact of (await readdir(join(root, "shards"))).sort()) {
      if (skip !== null && artifact === `havoc-nightly-shard-${skip}-42`) continue;
      for (const suite of await readdir(join(root, "shards", artifact))) dirs.push(`${join(root, "shards", artifact, suite)}/`);
    }
    return dirs;
  }

  it("merges every shard into one passing suite of all the runs", async () => {
    const run = await runHavoc(["suite", "merge", ...(await glob()), "--name", "nightly", "--allow-missing"], { timeoutMs: 60_000 });
    try {
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`sharded: shard 1/${total} \\S+ completed`));
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("nightly: 6 passed, 0 failed, 0 skipped");
      expect(await readdir(join(run.reportsDir, "suites"))).toEqual(["20250301-021700-nightly"]);
    } finally {
      await rm(run.reportsDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("with a shard's artifact absent, still writes the report, its runs not run, and fails the job (exit 3)", async () => {
    const run = await runHavoc(["suite", "merge", ...(await glob(2)), "--name", "nightly", "--allow-missing"], { timeoutMs: 60_000 });
    try {
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toContain(`shard 2/${total} is missing: its runs are reported as not run (--allow-missing)`);
      expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^nightly: \d passed, 0 failed, [1-9] skipped$/);
    } finally {
      await rm(run.reportsDir, { recursive: true, force: true });
    }
  }, 60_000);
});
