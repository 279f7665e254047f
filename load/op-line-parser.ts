import { z } from "zod";
import type { OpRecord } from "../core/history.ts";
import { OP_LINE_MARKER } from "./k6/lib/op-line-format.ts";

/**
 * Reads the op lines k6 scripts print through `havoc/k6` (format 2, written by load/k6/lib/op-line-format.ts).
 *
 * OpLineFields is the specification: the line split at TAB, field by field. parseOpLine() is what the harness runs on
 * every line (hundreds of thousands a second on replay): the same rules checked by hand, without zod's per-call cost.
 * test/unit/op-line-parser.test.ts holds the two to the same answers on valid and invalid lines.
 */

/** A number as JavaScript's String(n) prints a finite one (no "0x", no spaces, no "Infinity"). */
const numberPattern = /^-?\d+(\.\d+)?(e[+-]\d+)?$/;
/** Escaped text: a backslash only before one of `\` t n r. */
const textPattern = /^(?:[^\\\t\n\r]|\\[\\tnr])*$/;

const jsNumber = z.string().regex(numberPattern, "a number").transform(Number).pipe(z.number());
const text = z.string().regex(textPattern, "text with \\ TAB LF CR escaped");

/** The specification of a format 2 line, as its TAB-separated fields. */
export const OpLineFields = z.tuple([
  z.literal(OP_LINE_MARKER),
  z.enum(["write", "read"]),
  jsNumber,
  jsNumber,
  z.enum(["ok", "fail", "unknown"]),
  text,
  text,
  text,
  z.enum(["", "0", "1"]),
]);

export const fieldNames = ["marker", "op", "startEpochMs", "durationMs", "outcome", "cause", "node", "id", "stale"] as const;

/** Unescapes `\\` `\t` `\n` `\r` (text already checked against textPattern). */
function unescapeText(value: string): string {
  return value.indexOf("\\") < 0 ? value : value.replace(/\\([\\tnr])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : "\\"));
}

/** The record a valid field list stands for, `traffic` set by the caller. */
function toRecord(fields: z.infer<typeof OpLineFields>, traffic: string): OpRecord {
  const [, op, startEpochMs, durationMs, outcome, cause, node, id, stale] = fields;
  const record: OpRecord = { traffic, op, startEpochMs, durationMs, outcome, cause: unescapeText(cause) };
  if (node !== "") record.node = unescapeText(node);
  if (id !== "") record.id = unescapeText(id);
  if (stale !== "") record.stale = stale === "1";
  return record;
}

/** The specification applied with zod: the record, or why the line is not one (slow; tests and error messages). */
export function parseOpLineBySchema(line: string, traffic: string): OpRecord | string {
  const refused = refusedFormat(line);
  if (refused !== undefined) return refused;
  const parsed = OpLineFields.safeParse(line.split("\t"));
  if (parsed.success) return toRecord(parsed.data, traffic);
  const issue = parsed.error.issues[0];
  const at = typeof issue?.path[0] === "number" ? (fieldNames[issue.path[0]] ?? `field ${issue.path[0] + 1}`) : "line";
  return `${at}: ${issue?.message ?? "invalid"}`;
}

/** True when the line is meant as an op line (any format, so an old one is refused by name, not passed on as log). */
export function looksLikeOpLine(line: string): boolean {
  return line.startsWith("havoc-op/") || line.startsWith('{"havoc":"op"');
}

/** Why a line of another format is refused, or undefined when it claims format 2. */
export function refusedFormat(line: string): string | undefined {
  if (line.startsWith(OP_LINE_MARKER) && (line.length === OP_LINE_MARKER.length || line.charCodeAt(OP_LINE_MARKER.length) === TAB)) return undefined;
  if (line.startsWith('{"havoc":"op"')) {
    return `op line format 1 (JSON) is no longer read: this havoc reads format 2 (${OP_LINE_MARKER}); print op lines with printOp()/reportHttp() of the installed havoc/k6 instead of JSON`;
  }
  const version = /^havoc-op\/(\S*)/.exec(line)?.[1];
  return `op line format "${version ?? line.slice(0, 20)}" is not read by this havoc (it reads ${OP_LINE_MARKER}): the script was bundled with another havoc/k6`;
}

const TAB = 9;
const BACKSLASH = 92;
const LF = 10;
const CR = 13;

/**
 * A number field as numberPattern allows, or NaN. Plain integers of up to 15 digits (every start and nearly every
 * duration) are summed digit by digit, exactly, without a substring or a regular expression.
 */
function numberField(line: string, from: number, to: number): number {
  const negative = line.charCodeAt(from) === 45;
  const first = negative ? from + 1 : from;
  if (first === to || to - first > 15) return slowNumber(line.slice(from, to));
  let value = 0;
  for (let i = first; i < to; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return slowNumber(line.slice(from, to));
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

function slowNumber(text: string): number {
  if (!numberPattern.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** A text field's value (unescaped), or undefined when it holds a bad escape or a raw CR/LF. */
function textField(line: string, from: number, to: number): string | undefined {
  let escaped = false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = line.charCodeAt(i + 1);
      if (i + 1 >= to || (next !== BACKSLASH && next !== 116 && next !== 110 && next !== 114)) return undefined;
      escaped = true;
      i++;
    } else if (c === LF || c === CR) return undefined;
  }
  const value = line.slice(from, to);
  return escaped ? unescapeText(value) : detached(value);
}

/**
 * The same text, not pointing into the line. A line is a slice of the chunk of the file it came in (load/file-lines.ts),
 * and V8 makes a slice of 13 characters or more a view of its parent: an id kept by the write ledger would keep its whole
 * chunk (up to 1 MiB) alive, the whole file over a run. Concatenating and slicing again copies it (~90 ns, measured;
 * shorter slices are copies already).
 */
function detached(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

/**
 * The hot path: one line to an OpRecord (with `traffic`), or a string saying why it is not a valid format 2 line.
 * Agrees with parseOpLineBySchema on every line (test/unit/op-line-parser.test.ts); the reason texts may differ.
 */
export function parseOpLine(line: string, traffic: string): OpRecord | string {
  const m = OP_LINE_MARKER.length;
  if (!line.startsWith(OP_LINE_MARKER) || line.charCodeAt(m) !== TAB) return refusedFormat(line) ?? "line: expected 9 fields";
  // Field ends: e[k] is the index of the TAB after field k (fields 1..8; field 0 is the marker).
  const e1 = line.indexOf("\t", m + 1);
  const e2 = e1 < 0 ? -1 : line.indexOf("\t", e1 + 1);
  const e3 = e2 < 0 ? -1 : line.indexOf("\t", e2 + 1);
  const e4 = e3 < 0 ? -1 : line.indexOf("\t", e3 + 1);
  const e5 = e4 < 0 ? -1 : line.indexOf("\t", e4 + 1);
  const e6 = e5 < 0 ? -1 : line.indexOf("\t", e5 + 1);
  const e7 = e6 < 0 ? -1 : line.indexOf("\t", e6 + 1);
  if (e7 < 0 || line.indexOf("\t", e7 + 1) >= 0) return "line: expected 9 fields";

  const opLength = e1 - m - 1;
  let op: OpRecord["op"];
  if (opLength === 5 && line.startsWith("write", m + 1)) op = "write";
  else if (opLength === 4 && line.startsWith("read", m + 1)) op = "read";
  else return "op: expected write or read";

  const startEpochMs = numberField(line, e1 + 1, e2);
  if (Number.isNaN(startEpochMs)) return "startEpochMs: a number";
  const durationMs = numberField(line, e2 + 1, e3);
  if (Number.isNaN(durationMs)) return "durationMs: a number";

  const outcomeLength = e4 - e3 - 1;
  let outcome: OpRecord["outcome"];
  if (outcomeLength === 2 && line.startsWith("ok", e3 + 1)) outcome = "ok";
  else if (outcomeLength === 4 && line.startsWith("fail", e3 + 1)) outcome = "fail";
  else if (outcomeLength === 7 && line.startsWith("unknown", e3 + 1)) outcome = "unknown";
  else return "outcome: expected ok, fail or unknown";

  const cause = textField(line, e4 + 1, e5);
  if (cause === undefined) return "cause: text with \\ TAB LF CR escaped";
  let node: string | undefined;
  if (e6 > e5 + 1) {
    node = textField(line, e5 + 1, e6);
    if (node === undefined) return "node: text with \\ TAB LF CR escaped";
  }
  let id: string | undefined;
  if (e7 > e6 + 1) {
    id = textField(line, e6 + 1, e7);
    if (id === undefined) return "id: text with \\ TAB LF CR escaped";
  }
  let stale: boolean | undefined;
  const staleLength = line.length - e7 - 1;
  if (staleLength === 1) {
    const s = line.charCodeAt(e7 + 1);
    if (s === 49) stale = true;
    else if (s === 48) stale = false;
    else return "stale: expected empty, 0 or 1";
  } else if (staleLength !== 0) return "stale: expected empty, 0 or 1";
  // Every record has every key (absent ones undefined): one object shape keeps the consumers' property reads fast
  // (measured: a quarter of the parse time went with keys added as found).
  const record: OpRecord = { traffic, op, id, startEpochMs, durationMs, outcome, cause, node, stale };
  return record;
}
