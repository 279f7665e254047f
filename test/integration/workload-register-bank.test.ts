import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SloResult } from "../../core/verdict.ts";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import { runScenario } from "../support/history-figures.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers } from "../support/run-cli.ts";

/**
 * The linearizable and bank checkers' live controls on pgha, no faults: read-then-write clients (CAS as SELECT then
 * UPDATE, transfers as read both then write both) at READ COMMITTED must fail, the same clients at SERIALIZABLE
 * must pass. CI runs the four at once (test/fixtures/pgha-register-bank-controls.ts, one pgha boot); the nightly
 * run also runs each scenario of scenarios/pgha on its own.
 */
function expectNonLinearizable(slo: SloResult, runDir: string) {
  expect(slo.verdict, slo.why).toBe("fail");
  const l = slo.linearizable!;
  const illegal = l.keys.filter((k) => k.result === "illegal");
  expect(illegal.length).toBeGreaterThan(0);
  expect(slo.observed).toBe(illegal.length);
  expect(slo.why).toMatch(/key \S+ is not linearizable/);
  // The witness: ops of the bad key, among them two overlapping ok CAS from the same value (the double CAS).
  expect(l.witness.length).toBeGreaterThanOrEqual(2);
  // Porcupine's drawing of the failing key is in the run directory.
  expect(illegal[0]!.visualization, JSON.stringify(illegal[0])).not.toBeNull();
  expect(existsSync(join(runDir, illegal[0]!.visualization!))).toBe(true);
  return illegal.length;
}

function expectLinearizable(slo: SloResult) {
  expect(slo.verdict, slo.why).toBe("pass");
  expect(slo.linearizable!.keys.every((k) => k.result === "ok")).toBe(true);
  expect(slo.linearizable!.opsChecked).toBeGreaterThan(20);
}

function expectWrongTotals(slo: SloResult) {
  expect(slo.verdict, slo.why).toBe("fail");
  const b = slo.bank!;
  expect(b.badReadCounts.wrongTotal).toBeGreaterThan(0);
  expect(b.firstBad).not.toBeNull();
  expect(b.firstBad!.total).not.toBe(b.initialTotal);
  expect(slo.why).toMatch(/wrong total x\d+; .*the first, op \d+ \(line \d+\): /);
  return b.badReads;
}

function expectBalanced(slo: SloResult) {
  expect(slo.verdict, slo.why).toBe("pass");
  expect(slo.bank!.badReads).toBe(0);
  expect(slo.bank!.readsChecked).toBeGreaterThan(10);
}

describe("workload register and bank on pgha (integration)", () => {
  it(
    "read committed: a key not linearizable and reads with a wrong total; serializable: both pass",
    async () => {
      const { run, report } = await runScenario("test/fixtures/pgha-register-bank-controls.ts", { timeoutMs: 170_000 });
      expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
      const slo = (id: string) => report.slos.find((s) => s.id === id)!;
      const runDir = join(run.reportsDir, "latest");
      const keys = expectNonLinearizable(slo("rc-linearizable"), runDir);
      expectLinearizable(slo("ser-linearizable"));
      const bad = expectWrongTotals(slo("rc-bank"));
      expectBalanced(slo("ser-bank"));
      // Serializable histories hold the aborted would-be anomalies as fail ops (40001), not as info.
      const ser = parseWorkloadHistory(await readFile(join(runDir, "history-reg-ser.ndjson"), "utf8"), "history-reg-ser.ndjson");
      expect(ser.problems).toEqual([]);
      expect(ser.ops.some((o) => o.type === "fail" && o.error?.includes("serialize"))).toBe(true);
      console.info(
        `register/bank controls: rc ${keys} of ${slo("rc-linearizable").linearizable!.keys.length} keys not linearizable (${slo("rc-linearizable").linearizable!.opsChecked} ops), ` +
          `ser ${slo("ser-linearizable").linearizable!.opsChecked} ops linearizable; bank rc ${bad} of ${slo("rc-bank").bank!.readsChecked} reads wrong (${slo("rc-bank").why}), ser ${slo("ser-bank").bank!.readsChecked} reads right`,
      );
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    },
    180_000,
  );

  describe.runIf(nightly)("each control on its own (nightly)", () => {
    const cases = [
      { file: "scenarios/pgha/register-read-committed.ts", id: "registers-linearizable", expectExit: 1, assert: (s: SloResult, dir: string) => expectNonLinearizable(s, dir) },
      { file: "scenarios/pgha/register-serializable.ts", id: "registers-linearizable", expectExit: 0, assert: (s: SloResult) => expectLinearizable(s) },
      { file: "scenarios/pgha/bank-read-committed.ts", id: "bank-total", expectExit: 1, assert: (s: SloResult) => expectWrongTotals(s) },
      { file: "scenarios/pgha/bank-serializable.ts", id: "bank-total", expectExit: 0, assert: (s: SloResult) => expectBalanced(s) },
    ];
    for (const c of cases) {
      it(
        c.file,
        async () => {
          const { run, report } = await runScenario(c.file, { timeoutMs: 170_000 });
          expect(run.exitCode, run.stderr.slice(-3000)).toBe(c.expectExit);
          const slo = report.slos.find((s) => s.id === c.id)!;
          c.assert(slo, join(run.reportsDir, "latest"));
          console.info(`${c.file}: ${slo.verdict}: ${slo.why}`);
          expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
        },
        180_000,
      );
    }
  });
});
