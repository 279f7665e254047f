// Candidate (b): one sample of a custom metric per op, low-cardinality tags (op, outcome, cause, node, stale) and the
// id and start in the VU's metadata (never tags: each distinct tag set stays in k6's tag index for the whole run).
// The harness side reads it from `--out csv=<file>` or `--out json=<file>`.
import exec from "k6/execution";
import { Counter } from "k6/metrics";
export * from "havoc-k6-library";

// A Counter, not a Trend: a Trend keeps every value in memory for the end-of-test summary.
const havocOp = new Counter("havoc_op");

export function printOp(line) {
  const metadata = exec.vu.metrics.metadata;
  metadata.start = String(line.startEpochMs);
  if (line.id !== undefined) metadata.id = line.id;
  const tags = { op: line.op, outcome: line.outcome, cause: line.cause };
  if (line.node) tags.node = line.node;
  if (line.stale !== undefined) tags.stale = line.stale ? "1" : "0";
  havocOp.add(line.durationMs, tags);
  delete metadata.start;
  if (line.id !== undefined) delete metadata.id;
}
