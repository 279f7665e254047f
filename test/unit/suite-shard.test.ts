import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode, InputError } from "../../core/errors.ts";
import { balanceRatio, checkShardCount, lastWallTimesMs, parseShardFlag, partitionUnits, type ShardUnit } from "../../engine/suite/shard.ts";
import { repoRoot, runHavoc } from "../support/run-cli.ts";
import { runPass, type RecordedScenario } from "../support/shard-fixtures.ts";
import { runRec, suiteRec } from "../support/suite-records.ts";

/** --shard i/n: the flag, the partition (deterministic, balanced by the history's wall times) and its refusals. */

function refused(work: () => unknown): InputError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.invalidInput);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("parseShardFlag", () => {
  it("reads i/n", () => {
    expect(parseShardFlag("1/2")).toEqual({ index: 1, total: 2 });
    expect(parseShardFlag("3/3")).toEqual({ index: 3, total: 3 });
    expect(parseShardFlag("1/1")).toEqual({ index: 1, total: 1 });
  });

  it("refuses 0/2, 3/2, a/b, 1/0 and the like with exit 2, naming the flag", () => {
    expect(refused(() => parseShardFlag("0/2")).message).toBe("--shard 0/2: i must be between 1 and n (2), got 0");
    expect(refused(() => parseShardFlag("3/2")).message).toBe("--shard 3/2: i must be between 1 and n (2), got 3");
    expect(refused(() => parseShardFlag("a/b")).message).toBe(`--shard must be i/n (this machine's shard i of n, e.g. 2/3), got "a/b"`);
    expect(refused(() => parseShardFlag("1/0")).message).toBe("--shard 1/0: n must be at least 1");
    for (const text of ["", "2", "1/2/3", "-1/2", "1.5/2", "1/2x"]) expect(refused(() => parseShardFlag(text)).message).toMatch(/^--shard/);
  });

  it("refuses more shards than runs, saying how many runs there are", () => {
    const error = refused(() => checkShardCount({ index: 1, total: 5 }, 4, 2, 2));
    expect(error.message).toBe("--shard 1/5: 5 shards but the selection has only 4 run(s) (2 scenario(s) x 2 repeat(s))");
    expect(error.hint).toBe("use at most 4 shards");
    expect(() => checkShardCount({ index: 4, total: 4 }, 4, 2, 2)).not.toThrow();
  });
});

describe("lastWallTimesMs", () => {
  it("takes each scenario's last completed run across the history, oldest suite first", () => {
    const history = [
      suiteRec({ suiteId: "n1", runs: [runRec({ scenario: "a", durationMs: 60_000 }), runRec({ scenario: "b", durationMs: 70_000 })] }),
      suiteRec({ suiteId: "n2", runs: [runRec({ scenario: "a", durationMs: 65_000 }), runRec({ scenario: "a", durationMs: 66_000 }), runRec({ scenario: "b", durationMs: 5_000, status: "aborted" })] }),
    ];
    expect(Object.fromEntries(lastWallTimesMs(history))).toEqual({ a: 66_000, b: 70_000 });
  });
});

const unit = (scenario: string, repeat = 1): ShardUnit => ({ scenario, file: `scenarios/${scenario}.ts`, repeat });

describe("partitionUnits", () => {
  it("assigns longest first, each to the least loaded shard (lowest index on a tie)", () => {
    const units = [unit("c"), unit("a"), unit("d"), unit("b")];
    const weights = new Map([
      ["a", 100],
      ["b", 90],
      ["c", 60],
      ["d", 50],
    ]);
    // a -> 1 (100), b -> 2 (90), c -> 2 (150), d -> 1 (150).
    const p = partitionUnits(units, 2, weights);
    expect(p.shardOf).toEqual([2, 1, 1, 2]);
    expect(p.loads).toEqual([150, 150]);
    expect(p.balancedBy).toBe("wall-time");
  });

  it("is the same partition whatever order the units come in, and every unit lands on exactly one shard", () => {
    const units = ["zeta", "alpha", "mid", "beta", "omega", "gamma"].flatMap((s) => [1, 2, 3].map((r) => unit(s, r)));
    const weights = new Map([
      ["zeta", 60_000],
      ["alpha", 60_000],
      ["mid", 75_000],
      ["beta", 51_000],
      ["omega", 95_000],
    ]);
    const key = (u: ShardUnit) => `${u.file}#${u.repeat}`;
    const assignment = (list: ShardUnit[]) => {
      const p = partitionUnits(list, 3, weights);
      return Object.fromEntries(list.map((u, i) => [key(u), p.shardOf[i]]));
    };
    const forward = assignment(units);
    expect(assignment([...units].reverse())).toEqual(forward);
    expect(assignment([...units.slice(7), ...units.slice(0, 7)])).toEqual(forward);
    expect(assignment(units)).toEqual(forward);
    expect(Object.keys(forward)).toHaveLength(units.length);
    expect(new Set(Object.values(forward))).toEqual(new Set([1, 2, 3]));
    // Equal weights tie on the stable order: "alpha" repeats go to shards in turn before "beta".
    expect(partitionUnits([unit("b", 1), unit("a", 2), unit("a", 1)], 2, new Map()).shardOf).toEqual([1, 2, 1]);
  });

  it("splits by count when the history knows no scenario, and weighs an unknown scenario as the mean of the known", () => {
    const units = ["a", "b", "c", "d", "e"].flatMap((s) => [1, 2].map((r) => unit(s, r)));
    const byCount = partitionUnits(units, 3, new Map());
    expect(byCount.balancedBy).toBe("count");
    expect(byCount.loads).toEqual([4, 3, 3]);
    expect(byCount.weightsMs.every((w) => w === null)).toBe(true);
    const mixed = partitionUnits([unit("old"), unit("new"), unit("other")], 2, new Map([["old", 100], ["other", 50]]));
    expect(mixed.weightsMs).toEqual([100, null, 50]);
    expect(mixed.loads).toEqual([100, 125]);
    // Runs recorded as taking no time still spread over every shard.
    expect(partitionUnits([unit("x"), unit("y"), unit("z")], 3, new Map([["x", 0], ["y", 0], ["z", 0]])).shardOf).toEqual([1, 2, 3]);
  });

  it("on the nightly suite's recorded wall times: longest shard within 6% of the mean for n = 2 and 3, never more than one run over it", () => {
    // bench/results/nightly-suite.json: each scenario's wall time (p50 of 3 runs) on the 2-core machine, in s.
    const bench = JSON.parse(readFileSync(join(repoRoot, "bench/results/nightly-suite.json"), "utf8")) as { rows: { id: string; havoc: { p50: number } }[] };
    const weights = new Map(bench.rows.filter((r) => r.id !== "suite.pass").map((r) => [r.id.replace(/^suite\./, ""), r.havoc.p50 * 1000]));
    expect(weights.size).toBe(25);
    const units = [...weights.keys()].map((s) => unit(s));
    const largestMs = Math.max(...weights.values());
    for (const n of [2, 3, 4, 5]) {
      const { loads, shardOf } = partitionUnits(units, n, weights);
      const mean = loads.reduce((a, b) => a + b, 0) / n;
      // Longest processing time first: the last run put on the longest shard went to the least loaded one.
      expect(Math.max(...loads)).toBeLessThanOrEqual(mean + largestMs);
      expect(new Set(shardOf).size).toBe(n);
      if (n <= 3) expect(balanceRatio(loads)).toBeLessThanOrEqual(1.06);
    }
  });
});

describe("a suite run with --shard", () => {
  const recorded: RecordedScenario[] = [
    { name: "a", wallMs: 60_000 },
    { name: "b", wallMs: 60_000 },
  ];

  it("refuses n larger than the number of runs before starting anything or writing a directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "havoc-shard-"));
    try {
      const error = await runPass({ recorded, reportsDir: dir, history: [], shard: { index: 1, total: 5 }, repeat: 2 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe("--shard 1/5: 5 shards but the selection has only 4 run(s) (2 scenario(s) x 2 repeat(s))");
      expect(existsSync(join(dir, "suites"))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("havoc suite --shard / suite merge on the command line", () => {
  it("refuses a bad --shard with exit 2, naming the flag", async () => {
    const bad = await runHavoc(["suite", "scenarios", "--shard", "0/2"], { timeoutMs: 60_000 });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("havoc: --shard 0/2: i must be between 1 and n (2), got 0");
    const tooMany = await runHavoc(["suite", "scenarios/trackr", "--exclude-tag", "explore", "--shard", "99/99"], { timeoutMs: 60_000 });
    expect(tooMany.exitCode).toBe(2);
    // The count follows scenarios/trackr (every new scenario there changes it); the shape of the message is the point.
    expect(tooMany.stderr).toMatch(/havoc: --shard 99\/99: 99 shards but the selection has only (\d+) run\(s\) \(\1 scenario\(s\) x 1 repeat\(s\)\)/);
    expect(existsSync(join(tooMany.reportsDir, "suites"))).toBe(false);
    for (const run of [bad, tooMany]) await rm(run.reportsDir, { recursive: true, force: true });
  }, 120_000);

  it("merge refuses run-only flags and a directory that is not a shard's, with exit 2", async () => {
    const flags = await runHavoc(["suite", "merge", "somewhere", "--tag", "gate"], { timeoutMs: 60_000 });
    expect(flags.exitCode).toBe(2);
    expect(flags.stderr).toContain("havoc suite merge takes no --tag");
    const missing = await runHavoc(["suite", "merge", "no-such-dir"], { timeoutMs: 60_000 });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("no-such-dir/shard.json: missing");
    for (const run of [flags, missing]) await rm(run.reportsDir, { recursive: true, force: true });
  }, 120_000);
});
