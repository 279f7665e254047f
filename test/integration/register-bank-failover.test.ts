import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkedFigures, describeCheckedFigures, type CheckedFigure, type CheckedWorkloadFigures } from "../support/checked-figures.ts";
import { runScenario } from "../support/history-figures.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers } from "../support/run-cli.ts";

/**
 * Register and bank histories across faults on the SQL reference systems (nightly: 60 to 160 s each), asserting
 * what the runs measured (systems/galera/README.md section 9, systems/pgha/README.md "Registers across a zombie
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
    "galera, provider B cut, bank at REPEATABLE READ with atomic transfers on every node: every read sums to 100",
    async () => {
      const { f, slo } = await run("scenarios/galera/bank-provider-cut.ts", "bank", 0);
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      expect(slo.verdict).toBe("pass");
      expect(slo.of).toBeGreaterThan(100);
    },
    300_000,
  );
});
