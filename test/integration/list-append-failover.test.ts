import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeFigures, workloadFigures, type WorkloadFigures } from "../support/consistency-figures.ts";
import { runScenario } from "../support/history-figures.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers } from "../support/run-cli.ts";

/**
 * List-append histories across failovers on every reference system (nightly: 70 to 160 s each), asserting what the
 * runs measured (the systems' READMEs, "list-append" findings): where a system loses acknowledged transactions or
 * allows what its isolation level forbids, the `consistency` SLO names the anomaly with a witness; where it holds,
 * the history passes with the failover's failures and unknowns in it.
 */

async function run(file: string, expectedExit: 0 | 1): Promise<WorkloadFigures> {
  const { run, report } = await runScenario(file, { timeoutMs: 280_000 });
  expect(run.exitCode, run.stderr.slice(-3000)).toBe(expectedExit);
  const figures = await workloadFigures(join(run.reportsDir, "latest"), report);
  console.info(describeFigures(file, figures));
  expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  return figures;
}

const slo = (f: WorkloadFigures, id: string) => {
  const found = f.slos.find((s) => s.id === id);
  if (!found) throw new Error(`no consistency SLO ${id} in the run (have ${f.slos.map((s) => s.id).join(", ")})`);
  return found;
};
const nodesOf = (f: WorkloadFigures, id: string) => new Set(Object.values(slo(f, id).witnesses).flatMap((w) => w.txns.map((t) => t.node)));

describe("list-append across failovers (integration)", () => {
  it.runIf(nightly)(
    "galera, provider B cut, REPEATABLE READ on all three nodes: neither snapshot isolation nor repeatable read, from the first second",
    async () => {
      const f = await run("scenarios/galera/list-append-provider-cut.ts", 1);
      // Writers on both providers committed.
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      const si = slo(f, "snapshot-isolation");
      expect(si.verdict).toBe("fail");
      // InnoDB's repeatable read: a snapshot read, then an append applied to the newest row.
      expect(Object.keys(si.forbidden)).toEqual(expect.arrayContaining(["G-single", "lost-update"]));
      expect(slo(f, "repeatable-read").verdict).toBe("fail");
      // Not the cut's doing: a witness whose transactions all committed before it (15 s).
      expect(Object.values(si.witnesses).some((w) => w.txns.every((t) => t.completeMs !== null && t.completeMs < 15_000))).toBe(true);
    },
    300_000,
  );

  it.runIf(nightly)(
    "galera, the same with innodb_snapshot_isolation: snapshot isolation holds (write conflicts refused, 1020); write skew remains",
    async () => {
      const f = await run("scenarios/galera/list-append-provider-cut-snapshot-isolation.ts", 1);
      for (const node of ["galera-1", "galera-2", "galera-3"]) expect(f.okByNode[node], node).toBeGreaterThan(20);
      expect(slo(f, "snapshot-isolation").verdict).toBe("pass");
      const rr = slo(f, "repeatable-read");
      expect(rr.verdict).toBe("fail");
      expect(Object.keys(rr.forbidden)).toEqual(["G2-item"]);
    },
    300_000,
  );

  it.runIf(nightly)(
    "identity, primary partitioned, no WAIT: what the old primary acknowledged is gone after it is demoted (not serializable)",
    async () => {
      const f = await run("scenarios/identity/list-append-primary-partition.ts", 1);
      const ser = slo(f, "serializable");
      expect(ser.verdict).toBe("fail");
      expect(Object.values(ser.forbidden).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // The witnesses join transactions of the old primary (id-1) and of the one Sentinel promoted.
      const nodes = nodesOf(f, "serializable");
      expect(nodes.has("id-1")).toBe(true);
      expect(nodes.has("id-2") || nodes.has("id-3")).toBe(true);
    },
    300_000,
  );

  it.runIf(nightly)(
    "identity, primary partitioned, WAIT 1 after every transaction: serializable; the cut-off primary's transactions are unknown, not acknowledged",
    async () => {
      const f = await run("scenarios/identity/list-append-primary-partition-wait.ts", 0);
      expect(slo(f, "serializable").verdict).toBe("pass");
      expect(slo(f, "strict-serializable").verdict).toBe("pass");
      expect(f.info).toBeGreaterThan(0);
      expect((f.okByNode["id-2"] ?? 0) + (f.okByNode["id-3"] ?? 0)).toBeGreaterThan(100);
    },
    300_000,
  );

  for (const [story, file] of [
    ["zombie primary", "zombie-primary"],
    ["lagging replica", "lagging-replica"],
  ] as const) {
    it.runIf(nightly)(
      `pgha, ${story}, asynchronous: acknowledged SERIALIZABLE transactions lost (reads on both sides of the failover disagree)`,
      async () => {
        const f = await run(`scenarios/pgha/list-append-${file}-async.ts`, 1);
        const ser = slo(f, "serializable");
        expect(ser.verdict).toBe("fail");
        // Which anomaly shows the loss varies (measured: incompatible-order in 5 of 6 runs, G-single alone in one).
        expect(Object.keys(ser.forbidden).some((name) => ["incompatible-order", "G-single", "lost-update"].includes(name))).toBe(true);
      },
      300_000,
    );
    it.runIf(nightly)(
      `pgha, ${story}, synchronous: serializable, strict too`,
      async () => {
        const f = await run(`scenarios/pgha/list-append-${file}-sync.ts`, 0);
        expect(slo(f, "serializable").verdict).toBe("pass");
        expect(slo(f, "strict-serializable").verdict).toBe("pass");
        expect(f.ok).toBeGreaterThan(200);
      },
      300_000,
    );
  }
});
