import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkedFigures, describeCheckedFigures, type CheckedFigure, type CheckedWorkloadFigures } from "../support/checked-figures.ts";
import { runScenario } from "../support/history-figures.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers } from "../support/run-cli.ts";

/**
 * Register and bank histories across faults on the SQL reference systems (nightly: 60 to 160 s each), asserting
 * what the runs measured (systems/galera/README.md section 10, systems/pgha/README.md "Registers across a zombie
 * primary and a lagging replica"): where the system breaks its promise the checker's FAIL, how many keys or reads
 * it found and a witness naming the nodes that served it; where it holds, the PASS with the fault's failures in
 * the history.
 */
async function run(file: string, traffic: string, expectedExit: 0 | 1): Promise<{ f: CheckedWorkloadFigures; slo: CheckedFigure }> {
  const { run, report } = await runScenario(file, { timeoutMs: 280_000 });
  expect(run.exitCode, run.stderr.slice(-3000)).toBe(expectedExit);
  const f = await checkedFigures(join(run.reportsDir, "latest"), report, traffic);
  console.info(describeCheckedFigures(file, f));
  expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  expect(f.slos).toHaveLength(1);
  return { f, slo: f.slos[0]! };
}

const witnessNodes = (slo: CheckedFigure) => new Set(slo.witness.flatMap((o) => (o.node ? [o.node] : [])));

describe("registers and bank across faults (integration)", () => {
  it.runIf(nightly)(
    "galera, provider B cut, registers at REPEATABLE READ on every node: not linearizable (a read on one node misses a write another acknowledged)",
    async () => {
      const { f, slo } = await run("scenarios/galera/register-provider-cut.ts", "registers", 1);
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      expect(slo.verdict).toBe("fail");
      expect(slo.bad).toBeGreaterThanOrEqual(1);
      expect(slo.why).toMatch(/key \S+ is not linearizable/);
      // One node alone is linearizable (InnoDB's row locks): the witness joins ops served by two nodes.
      expect(witnessNodes(slo).size).toBeGreaterThanOrEqual(2);
    },
    300_000,
  );

  it.runIf(nightly)(
    "galera, the same with wsrep_sync_wait = 1: linearizable (reads wait for the write sets ordered before them)",
    async () => {
      const { f, slo } = await run("scenarios/galera/register-provider-cut-sync-wait.ts", "registers", 0);
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      expect(slo.verdict).toBe("pass");
      expect(slo.of).toBeGreaterThanOrEqual(3);
    },
    300_000,
  );

  it.runIf(nightly)(
    "galera, provider B cut, bank at REPEATABLE READ with read-then-write transfers: reads with a wrong total (lost updates)",
    async () => {
      const { slo } = await run("scenarios/galera/bank-provider-cut-read-then-write.ts", "bank", 1);
      expect(slo.verdict).toBe("fail");
      // Measured 400-565 wrong reads of 407-570 per run: nearly every read after the first lost update.
      expect(slo.bad).toBeGreaterThan(50);
      expect(slo.bad / slo.of).toBeGreaterThan(0.5);
      expect(slo.why).toMatch(/wrong total x\d+; .*the first, op \d+ \(line \d+\): total \d+, expected 100/);
      expect(slo.witness[0]?.node).toMatch(/^galera-[123]$/);
    },
    300_000,
  );

  it.runIf(nightly)(
    "galera, provider B cut, bank at REPEATABLE READ with atomic transfers on every node: every read sums to 100",
    async () => {
      const { f, slo } = await run("scenarios/galera/bank-provider-cut.ts", "bank", 0);
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      expect(slo.verdict).toBe("pass");
      expect(slo.of).toBeGreaterThan(100);
    },
    300_000,
  );

  it.runIf(nightly)(
    "pgha, zombie primary, asynchronous: registers not linearizable; ok ops on the zombie (pg-1) and on the new primary",
    async () => {
      const { f, slo } = await run("scenarios/pgha/register-zombie-primary-async.ts", "registers", 1);
      expect(slo.verdict).toBe("fail");
      expect(slo.bad).toBeGreaterThanOrEqual(1);
      // The witness is the failing key's ops around where Porcupine got stuck: they named pg-1 and the new primary
      // in 2 of 3 runs, only the new primary in one (its reads of a value older than pg-1's last acknowledged).
      expect(witnessNodes(slo).size).toBeGreaterThan(0);
      expect(f.okByNode["pg-1"]).toBeGreaterThan(0);
      expect((f.okByNode["pg-2"] ?? 0) + (f.okByNode["pg-3"] ?? 0)).toBeGreaterThan(0);
    },
    300_000,
  );

  for (const story of ["zombie-primary", "lagging-replica"] as const) {
    it.runIf(nightly)(
      `pgha, ${story}, synchronous: registers linearizable across the failover`,
      async () => {
        const { f, slo } = await run(`scenarios/pgha/register-${story}-sync.ts`, "registers", 0);
        expect(slo.verdict).toBe("pass");
        // The failover happened inside the traffic: ok ops on pg-1 and on the new primary.
        expect(f.okByNode["pg-1"]).toBeGreaterThan(0);
        expect((f.okByNode["pg-2"] ?? 0) + (f.okByNode["pg-3"] ?? 0)).toBeGreaterThan(0);
      },
      300_000,
    );
  }

  it.runIf(nightly)(
    "pgha, lagging replica, asynchronous: FAIL (a key read behind what pg-1 acknowledged) or PASS, never unknown",
    async () => {
      // Measured FAIL in 3 of 5 runs (README; the passes on a loaded machine with little traffic after the failover):
      // registers show the loss only when a key written in the lag window is used again after the failover, so the
      // test asserts what a verdict must carry, not which one comes.
      const { run: r, report } = await runScenario("scenarios/pgha/register-lagging-replica-async.ts", { timeoutMs: 280_000 });
      expect([0, 1], r.stderr.slice(-3000)).toContain(r.exitCode);
      const f = await checkedFigures(join(r.reportsDir, "latest"), report, "registers");
      console.info(describeCheckedFigures("register-lagging-replica-async", f));
      const slo = f.slos[0]!;
      expect(["pass", "fail"]).toContain(slo.verdict);
      if (slo.verdict === "fail") {
        expect(slo.bad).toBeGreaterThanOrEqual(1);
        expect(witnessNodes(slo).size).toBeGreaterThan(0);
        expect((f.okByNode["pg-2"] ?? 0) + (f.okByNode["pg-3"] ?? 0), "a loss needs ops on the promoted replica").toBeGreaterThan(0);
      }
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    },
    300_000,
  );
});
