import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import { runScenario } from "../support/history-figures.ts";
import { leftovers } from "../support/run-cli.ts";

/**
 * The consistency checker's live controls on pgha (test/fixtures/pgha-list-append-controls.ts: both of
 * scenarios/pgha/list-append-*.ts in one run, so pgha boots once): the read-then-write client at READ COMMITTED
 * loses updates and the `consistency` SLO names and counts them; at SERIALIZABLE PostgreSQL aborts them instead
 * (op type fail) and the history checks serializable.
 */
describe("workload list-append on pgha (integration)", () => {
  it(
    "read committed: lost updates named and counted; serializable: passes",
    async () => {
      const { run, report } = await runScenario("test/fixtures/pgha-list-append-controls.ts", { timeoutMs: 170_000 });
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
      const rc = report.slos.find((s) => s.id === "rc-serializable")!;
      const ser = report.slos.find((s) => s.id === "ser-serializable")!;
      expect(rc.verdict, rc.why).toBe("fail");
      const lost = rc.consistency!.anomalies.find((a) => a.name === "lost-update");
      expect(lost, rc.why).toBeDefined();
      expect(lost!.allowed).toBe(false);
      expect(lost!.count).toBeGreaterThan(0);
      expect(lost!.witness.txns.length).toBeGreaterThanOrEqual(2);
      expect(rc.observed).toBeGreaterThanOrEqual(lost!.count);
      expect(rc.why).toMatch(/lost-update x\d+/);
      expect(ser.verdict, ser.why).toBe("pass");
      expect(ser.consistency!.anomalies.filter((a) => !a.allowed)).toEqual([]);
      // The histories are on disk, every line a valid op, with ok and failed (40001) transactions at serializable.
      const text = await readFile(join(run.reportsDir, "latest", "history-ser.ndjson"), "utf8");
      const history = parseWorkloadHistory(text, "history-ser.ndjson");
      expect(history.problems).toEqual([]);
      const types = new Map<string, number>();
      for (const op of history.ops) types.set(op.type, (types.get(op.type) ?? 0) + 1);
      expect(types.get("ok")).toBeGreaterThan(20);
      console.info(
        `list-append controls: rc ${rc.consistency!.opsChecked} ops, ${rc.consistency!.anomalies.map((a) => `${a.name} x${a.count}`).join(", ")}, checked in ${rc.consistency!.elapsedMs} ms; ` +
          `ser ${ser.consistency!.opsChecked} ops (${types.get("ok")} ok, ${types.get("fail") ?? 0} fail, ${types.get("info") ?? 0} info), checked in ${ser.consistency!.elapsedMs} ms; lost-update witness: ${lost!.witness.summary}`,
      );
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    },
    180_000,
  );
});
