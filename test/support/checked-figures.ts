import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { WorkloadOp } from "../../core/workload-op.ts";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import type { RunReport } from "../../judge/report-schema.ts";

/** One `linearizable` or `bank` SLO of a run, as the READMEs' findings tables give it. */
export interface CheckedFigure {
  id: string;
  kind: "linearizable" | "bank";
  verdict: string;
  why: string;
  /** Non-linearizable keys, or reads with a bad total / balance. */
  bad: number;
  /** Of: keys checked, or reads checked. */
  of: number;
  /** The witness ops (a register key's ops around where the search got stuck; a bank's first bad read), each with the node that served it. */
  witness: { index: number; process: number; f: string; type: string; invokeMs: number; completeMs: number | null; value: unknown; node?: string }[];
}

export interface CheckedWorkloadFigures {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  okByNode: Record<string, number>;
  slos: CheckedFigure[];
}

/** The figures of one run of a register or bank scenario: op counts from its history, verdicts and witnesses (with nodes) from report.json. */
export async function checkedFigures(runDir: string, report: RunReport, traffic: string): Promise<CheckedWorkloadFigures> {
  const file = `history-${traffic}.ndjson`;
  const { ops, problems } = parseWorkloadHistory(await readFile(join(runDir, file), "utf8"), file);
  if (problems.length > 0) throw new Error(`${join(runDir, file)}: ${problems.length} bad lines, e.g. ${JSON.stringify(problems[0])}`);
  const byIndex = new Map<number, WorkloadOp>(ops.map((o) => [o.index, o]));
  const withNode = <T extends { index: number }>(o: T) => ({ ...o, ...(byIndex.get(o.index)?.node ? { node: byIndex.get(o.index)!.node } : {}) });
  const okByNode: Record<string, number> = {};
  for (const op of ops) if (op.type === "ok" && op.node) okByNode[op.node] = (okByNode[op.node] ?? 0) + 1;
  const slos: CheckedFigure[] = [];
  for (const s of report.slos) {
    if (s.linearizable) {
      const l = s.linearizable;
      slos.push({ id: s.id, kind: "linearizable", verdict: s.verdict, why: s.why, bad: l.keys.filter((k) => k.result === "illegal").length, of: l.keys.length, witness: l.witness.map(withNode) });
    } else if (s.bank) {
      const b = s.bank;
      const first = b.firstBad ? byIndex.get(b.firstBad.index) : undefined;
      const witness = first ? [withNode({ index: first.index, process: first.process, f: first.f, type: first.type, invokeMs: first.invokeMs, completeMs: first.completeMs ?? null, value: first.value })] : [];
      slos.push({ id: s.id, kind: "bank", verdict: s.verdict, why: s.why, bad: b.badReads, of: b.readsChecked, witness });
    }
  }
  const count = (type: string) => ops.filter((o) => o.type === type).length;
  return { ops: ops.length, ok: count("ok"), fail: count("fail"), info: count("info"), okByNode, slos };
}

/** One line per SLO for a test's log or a README: verdict, bad of checked, the witness ops with their nodes. */
export function describeCheckedFigures(name: string, f: CheckedWorkloadFigures): string {
  const head = `${name}: ${f.ops} ops (${f.ok} ok, ${f.fail} fail, ${f.info} info), ok by node ${JSON.stringify(f.okByNode)}`;
  const lines = f.slos.map((s) => {
    const witness = s.witness.map((o) => `#${o.index} p${o.process}${o.node ? `@${o.node}` : ""} ${o.f} ${JSON.stringify(o.value)} ${o.type} ${o.invokeMs}-${o.completeMs ?? "?"} ms`).join("; ");
    return `  ${s.id}: ${s.verdict.toUpperCase()} (${s.bad} of ${s.of} ${s.kind === "bank" ? "reads" : "keys"} bad): ${s.why}${witness ? `\n    witness: ${witness}` : ""}`;
  });
  return [head, ...lines].join("\n");
}
