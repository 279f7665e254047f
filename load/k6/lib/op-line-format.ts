/**
 * The op line a k6 script prints for havoc (format 2), free of k6 imports so Node tests share it. Parsed by
 * load/op-line-parser.ts, which holds the format's zod specification.
 *
 * One line per op, nine fields separated by TAB, in this order:
 *
 *   havoc-op/2  op  startEpochMs  durationMs  outcome  cause  node  id  stale
 *
 * - op "write" | "read"; outcome "ok" | "fail" | "unknown";
 * - startEpochMs, durationMs: numbers as JavaScript prints them (String(n)), finite;
 * - cause, node, id: text with `\` TAB LF CR written as `\\` `\t` `\n` `\r`; node and id empty when absent (an
 *   empty id counts as none);
 * - stale: "" (not checked), "1" (stale read), "0" (fresh read).
 *
 * Format 1 was a JSON object per line (`{"havoc":"op",...}`), costlier to print in k6's VM and to parse; the parser
 * refuses it by name. A change to the fields takes a new version in the marker.
 */
export const OP_LINE_MARKER = "havoc-op/2";

export type Outcome = "ok" | "fail" | "unknown";

/** One op as a script builds it (printOp() writes it as a line). */
export interface OpLine {
  /** Kept from format 1 so scripts that build an OpLine by hand still type-check; not printed. */
  havoc: "op";
  op: "write" | "read";
  id?: string;
  startEpochMs: number;
  durationMs: number;
  outcome: Outcome;
  cause: string;
  node?: string;
  /**
   * Only on a read that checked the client's own last acknowledged write and itself succeeded: true when the answer
   * did not contain it. Set by the script after opLine() (see lib/read-your-writes.ts), so latency excludes parsing.
   */
  stale?: boolean;
}

// One test over the three texts at once: a regular expression call is the costly part in k6's VM (~1 us each).
const needsEscape = /[\t\n\r\\]/;
const escapable = /[\t\n\r\\]/g;
const escapes: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };
const escapeOne = (c: string) => escapes[c] ?? c;

function text(value: string | undefined): string {
  return value === undefined ? "" : value.replace(escapable, escapeOne);
}

/** The line of one op, without a newline. */
export function formatOpLine(line: Omit<OpLine, "havoc"> & { havoc?: "op" }): string {
  const { cause } = line;
  const node = line.node ?? "";
  const id = line.id ?? "";
  const stale = line.stale === undefined ? "" : line.stale ? "1" : "0";
  const texts = needsEscape.test(cause + node + id) ? `${text(cause)}\t${text(node)}\t${text(id)}` : `${cause}\t${node}\t${id}`;
  return `${OP_LINE_MARKER}\t${line.op}\t${line.startEpochMs}\t${line.durationMs}\t${line.outcome}\t${texts}\t${stale}`;
}
