import { readFile } from "node:fs/promises";
import type { z } from "zod";
import type { Problem } from "./result.ts";
import { WorkloadOp } from "./workload-op.ts";

/** A workload history as read from its NDJSON file, with every line that could not be taken as an op. */
export interface WorkloadHistory {
  ops: WorkloadOp[];
  /** Non-empty means the checkers answer "unknown": a history with holes cannot prove anything passed. */
  problems: Problem[];
}

/** Reads `<run dir>/history-<traffic>.ndjson`. A missing file throws (that is the caller's error, not bad input). */
export async function readWorkloadHistory(path: string): Promise<WorkloadHistory> {
  return parseWorkloadHistory(await readFile(path, "utf8"), path);
}

/**
 * One op per line. Blank lines are skipped (a trailing newline). Each other line must be a WorkloadOp; a line that
 * is not JSON or does not match, an op that completes before it was invoked, and an index seen on an earlier line
 * are problems with their 1-based line number. Valid ops of a file with problems are still returned.
 */
export function parseWorkloadHistory(text: string, fileName: string): WorkloadHistory {
  const ops: WorkloadOp[] = [];
  const problems: Problem[] = [];
  const lineOfIndex = new Map<number, number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    const line = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, message: `${fileName}: not JSON (${(error as Error).message}): ${excerpt(raw)}` });
      continue;
    }
    const parsed = WorkloadOp.safeParse(json);
    if (!parsed.success) {
      problems.push({ line, message: `${fileName}: not a workload op: ${describeIssues(parsed.error.issues)}` });
      continue;
    }
    const op = parsed.data;
    if (op.completeMs !== null && op.completeMs < op.invokeMs) {
      problems.push({ line, message: `${fileName}: op ${op.index} completes (completeMs ${op.completeMs}) before it was invoked (invokeMs ${op.invokeMs})` });
      continue;
    }
    const earlier = lineOfIndex.get(op.index);
    if (earlier !== undefined) {
      problems.push({ line, message: `${fileName}: index ${op.index} already used on line ${earlier}` });
      continue;
    }
    lineOfIndex.set(op.index, line);
    ops.push(op);
  }
  return { ops, problems };
}

/** "field completeMs: expected number, received string; field f: ..." from zod's issues. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length === 0 ? "the line" : `field ${issue.path.map(String).join(".")}`;
      return `${where}: ${issue.message.replace(/^Invalid input: /, "")}`;
    })
    .join("; ");
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
