import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import type { RunReport } from "../../judge/report-schema.ts";

/** One consistency SLO of a run, as the READMEs' findings tables give it. */
export interface ConsistencyFigure {
  id: string;
  verdict: string;
  /** Forbidden anomalies by name: count. */
  forbidden: Record<string, number>;
  /** One witness per forbidden anomaly: its summary and the nodes that served its transactions. */
  witnesses: Record<string, { summary: string; txns: { index: number; process: number; node?: string; invokeMs: number; completeMs: number | null }[] }>;
}

export interface WorkloadFigures {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Committed transactions per node that served them (only clients that record it). */
  okByNode: Record<string, number>;
  slos: ConsistencyFigure[];
}

/** The figures of one run of a list-append scenario: op counts from its history, anomalies and witnesses from report.json. */
export async function workloadFigures(runDir: string, report: RunReport, traffic = "txns"): Promise<WorkloadFigures> {
  const file = `history-${traffic}.ndjson`;
  const { ops, problems } = parseWorkloadHistory(await readFile(join(runDir, file), "utf8"), file);
  if (problems.length > 0) throw new Error(`${join(runDir, file)}: ${problems.length} bad lines, e.g. ${JSON.stringify(problems[0])}`);
  const okByNode: Record<string, number> = {};
  for (const op of ops) if (op.type === "ok" && op.node) okByNode[op.node] = (okByNode[op.node] ?? 0) + 1;
  const slos = report.slos
    .filter((s) => s.consistency)
    .map((s): ConsistencyFigure => {
      const forbidden = s.consistency!.anomalies.filter((a) => !a.allowed);
      return {
        id: s.id,
        verdict: s.verdict,
        forbidden: Object.fromEntries(forbidden.map((a) => [a.name, a.count])),
        witnesses: Object.fromEntries(
          forbidden.map((a) => [
            a.name,
            {
              summary: a.witness.summary,
              txns: a.witness.txns.map((t) => ({ index: t.index, process: t.process, ...(ops[t.index]?.node ? { node: ops[t.index]!.node } : {}), invokeMs: t.invokeMs, completeMs: t.completeMs })),
            },
          ]),
        ),
      };
    });
  const count = (type: string) => ops.filter((o) => o.type === type).length;
  return { ops: ops.length, ok: count("ok"), fail: count("fail"), info: count("info"), okByNode, slos };
}

/** One line per SLO for a test's log: verdict, anomalies with counts, the first witness. */
export function describeFigures(name: string, f: WorkloadFigures): string {
  const head = `${name}: ${f.ops} ops (${f.ok} ok, ${f.fail} fail, ${f.info} info), ok by node ${JSON.stringify(f.okByNode)}`;
  const lines = f.slos.map((s) => {
    const named = Object.entries(s.forbidden).map(([n, c]) => `${n} x${c}`).join(", ") || "none";
    const first = Object.entries(s.witnesses)[0];
    const witness = first ? `; e.g. ${first[0]}: ${first[1].summary.slice(0, 240)} [${first[1].txns.slice(0, 4).map((t) => `T${t.index} p${t.process}${t.node ? `@${t.node}` : ""} ${t.invokeMs}-${t.completeMs ?? "?"} ms`).join(", ")}]` : "";
    return `  ${s.id}: ${s.verdict.toUpperCase()} (${named})${witness}`;
  });
  return [head, ...lines].join("\n");
}
