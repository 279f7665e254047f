import type { History, ReplicaRead } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount } from "../../core/format.ts";
import { resolveWindow } from "./window.ts";
import { z } from "zod";
import { sloBase } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";

/**
 * After the fault-free tail, every node of the readback's `convergence` set holds the same ids as the primary
 * (Jepsen's final reads on every node). A node that lacks ids or holds extra ones has diverged (a rewound or
 * split-brained node); it is named with samples of those ids. Needs a readback of `traffic` with `convergence`.
 */
export const ConvergenceSlo = z
  .object({
    kind: z.literal("convergence"),
    ...sloBase,
    /** Diverged nodes allowed. Default 0. */
    atMost: z.number().int().min(0).default(0),
  })
  .strict();
export type ConvergenceSloSpec = z.infer<typeof ConvergenceSlo>;

/** Ids named per node in the one-line why; report.json's history keeps up to 20. */
const IDS_IN_WHY = 3;

function diverged(read: ReplicaRead): boolean {
  return read.outcome !== "unreachable" && read.lacking + read.extra > 0;
}

function describe(read: ReplicaRead): string {
  const parts: string[] = [];
  if (read.outcome === "store-lost") parts.push(`lost its store (${read.why ?? "no data"})`);
  if (read.lacking > 0) parts.push(`lacks ${formatCount(read.lacking)} (${read.lackingSample.slice(0, IDS_IN_WHY).join(", ")}${read.lacking > IDS_IN_WHY ? ", ..." : ""})`);
  if (read.extra > 0) parts.push(`has ${formatCount(read.extra)} extra (${read.extraSample.slice(0, IDS_IN_WHY).join(", ")}${read.extra > IDS_IN_WHY ? ", ..." : ""})`);
  return `${read.node} ${parts.join(" and ")}`;
}

/**
 * Every node of the convergence set against the primary's ids after the tail. Diverged nodes over `atMost` fail,
 * each named with what it lacks or has extra; a node that could not be read makes a would-be pass unknown.
 */
export function checkConvergence(slo: ConvergenceSloSpec, history: History): SloResult {
  const run = resolveWindow({ kind: "run" }, history);
  const base = { id: slo.id, kind: slo.kind, target: `<= ${slo.atMost} diverged`, unit: "nodes", window: run.window };
  const sets = history.writes[slo.traffic];
  if (!sets?.readback) return { ...base, verdict: "unknown", observed: null, why: `${slo.traffic} was not read back, so convergence cannot be judged` };
  if (sets.stored === null || sets.readback.outcome !== "ok")
    return { ...base, verdict: "unknown", observed: null, why: `the primary of ${slo.traffic} could not be read (${sets.readback.outcome}), so there is nothing to converge to` };
  const reads = sets.convergence ?? [];
  if (reads.length === 0) return { ...base, verdict: "unknown", observed: null, why: `no node of ${slo.traffic}'s convergence set was read` };
  const bad = reads.filter(diverged);
  const unread = reads.filter((r) => r.outcome === "unreachable");
  const against = `against ${formatCount(sets.stored.length)} ids on ${sets.readback.node ?? "the primary"}`;
  if (bad.length > slo.atMost)
    return { ...base, verdict: "fail", observed: bad.length, why: `${bad.length} of ${reads.length} nodes diverged ${against}: ${bad.map(describe).join("; ")}` };
  if (unread.length > 0)
    return { ...base, verdict: "unknown", observed: bad.length, why: `${unread.map((r) => `${r.node} (${r.why ?? "no answer"})`).join(", ")} could not be read; ${bad.length} of the others diverged ${against}` };
  const held = bad.length > 0 ? `: ${bad.map(describe).join("; ")}` : "";
  return { ...base, verdict: "pass", observed: bad.length, why: `${bad.length} of ${reads.length} nodes diverged <= ${slo.atMost} allowed ${against}${held}` };
}

export const convergenceKind: SloKind<ConvergenceSloSpec> = {
  kind: "convergence",
  schema: ConvergenceSlo,
  validate(slo, view, report, path) {
    if (view.readbacks && !view.readbacks.some((r) => r.traffic === slo.traffic && r.convergence))
      report([...path, "traffic"], `convergence needs a readback for traffic "${slo.traffic}" with convergence: { role } or { nodes }`);
  },
  judge: (slo, history) => checkConvergence(slo, history),
};
