import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import type { RunReport } from "../../judge/report-schema.ts";

/** One witness op as the READMEs' findings give it: the history's op with the node that served it. */
export interface WitnessOp {
  index: number;
  process: number;
  f: string;
  type: string;
  invokeMs: number;
  completeMs: number | null;
  value: unknown;
  node?: string;
}

/** The figures of one run of a register scenario (the identity README's findings table). */
export interface RegisterFigures {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** ok ops per node that served them. */
  okByNode: Record<string, number>;
  /** The last ok op's completion on each node, ms on the run's clock. */
  lastOkMsByNode: Record<string, number>;
  /** The first ok op's invocation on each node. */
  firstOkMsByNode: Record<string, number>;
  /** Why ops failed or ended unknown: `${type} ${cause}` (from `error`'s gist): count. */
  notOk: Record<string, number>;
  slo:
    | {
        id: string;
        verdict: string;
        why: string;
        keys: number;
        illegal: string[];
        unknown: string[];
        opsChecked: number;
        elapsedMs: number;
        witness: WitnessOp[];
        /** ok ops on the witness's key per node that served them, over the whole history. */
        witnessKeyOkByNode: Record<string, number>;
      }
    | undefined;
}

function okByNodeOfKey(ops: readonly { type: string; node?: string; value: unknown }[], key: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (key === undefined) return out;
  for (const op of ops) if (op.type === "ok" && op.node && (op.value as { key?: unknown }).key === key) out[op.node] = (out[op.node] ?? 0) + 1;
  return out;
}

const gist = (error: string | undefined) => (error === undefined ? "no error" : error.replace(/\d+/g, "N").slice(0, 60));

export async function registerFigures(runDir: string, report: RunReport, traffic = "registers"): Promise<RegisterFigures> {
  const file = `history-${traffic}.ndjson`;
  const { ops, problems } = parseWorkloadHistory(await readFile(join(runDir, file), "utf8"), file);
  if (problems.length > 0) throw new Error(`${join(runDir, file)}: ${problems.length} bad lines, e.g. ${JSON.stringify(problems[0])}`);
  const okByNode: Record<string, number> = {};
  const lastOkMsByNode: Record<string, number> = {};
  const firstOkMsByNode: Record<string, number> = {};
  const notOk: Record<string, number> = {};
  for (const op of ops) {
    if (op.type === "ok" && op.node) {
      okByNode[op.node] = (okByNode[op.node] ?? 0) + 1;
      lastOkMsByNode[op.node] = Math.max(lastOkMsByNode[op.node] ?? 0, op.completeMs ?? 0);
      firstOkMsByNode[op.node] = Math.min(firstOkMsByNode[op.node] ?? Number.POSITIVE_INFINITY, op.invokeMs);
    } else if (op.type !== "ok") {
      const key = `${op.type} ${op.f}: ${gist(op.error)}`;
      notOk[key] = (notOk[key] ?? 0) + 1;
    }
  }
  const row = report.slos.find((s) => s.linearizable);
  const slo =
    row === undefined
      ? undefined
      : {
          id: row.id,
          verdict: row.verdict,
          why: row.why,
          keys: row.linearizable!.keys.length,
          illegal: row.linearizable!.keys.filter((k) => k.result === "illegal").map((k) => k.key),
          unknown: row.linearizable!.keys.filter((k) => k.result === "unknown").map((k) => k.key),
          opsChecked: row.linearizable!.opsChecked,
          elapsedMs: row.linearizable!.elapsedMs,
          witness: row.linearizable!.witness.map((w) => ({ ...w, ...(ops[w.index]?.node ? { node: ops[w.index]!.node } : {}) })),
          witnessKeyOkByNode: okByNodeOfKey(ops, (row.linearizable!.witness[0]?.value as { key?: unknown } | undefined)?.key),
        };
  const count = (type: string) => ops.filter((o) => o.type === type).length;
  return { ops: ops.length, ok: count("ok"), fail: count("fail"), info: count("info"), okByNode, lastOkMsByNode, firstOkMsByNode, notOk, slo };
}

const describeOp = (w: WitnessOp) => {
  const v = w.value as { key?: number; value?: number | null; from?: number; to?: number };
  const what = w.f === "cas" ? `cas ${v.from}->${v.to}` : `${w.f} ${v.value ?? "nil"}`;
  return `#${w.index} p${w.process}${w.node ? `@${w.node}` : ""} ${what} ${w.type} ${w.invokeMs}-${w.completeMs ?? "?"} ms`;
};

/** A few lines for a test's log and the README's table: counts, where ops were served, the verdict and its witness. */
export function describeRegisterFigures(name: string, f: RegisterFigures): string {
  const fmt = (r: Record<string, number>) => Object.entries(r).sort().map(([k, v]) => `${k} ${Math.round(v)}`).join(", ");
  const lines = [
    `${name}: ${f.ops} ops (${f.ok} ok, ${f.fail} fail, ${f.info} info); ok by node: ${fmt(f.okByNode)}; first ok (ms): ${fmt(f.firstOkMsByNode)}; last ok (ms): ${fmt(f.lastOkMsByNode)}`,
    `  not ok: ${JSON.stringify(f.notOk)}`,
  ];
  if (f.slo) {
    lines.push(`  ${f.slo.id}: ${f.slo.verdict.toUpperCase()}: ${f.slo.why}`);
    if (f.slo.illegal.length > 0) lines.push(`  illegal keys ${f.slo.illegal.join(", ")}; witness (key ${String((f.slo.witness[0]?.value as { key?: unknown } | undefined)?.key)}): ${f.slo.witness.map(describeOp).join("; ")}`);
  }
  return lines.join("\n");
}
