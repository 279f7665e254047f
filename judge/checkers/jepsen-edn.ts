import type { WorkloadOp } from "./workload-op.ts";

/**
 * Writes a history in Jepsen's history.edn format, so Elle, Knossos or any Jepsen checker can re-check it: one EDN
 * map per line, `{:index 0, :time 1000000, :type :invoke, :process 0, :f :txn, :value [[:append 3 5] [:r 3 nil]]}`
 * (the key order of Jepsen's Op record). Each op becomes an :invoke and a completion (:ok, :fail or :info), ordered
 * by time; :index numbers the events; :time is nanoseconds from traffic start.
 *
 * Values, per workload:
 * - list-append (f "txn"): `[[:append k e] [:r k [1 2]]]`; reads are nil in the invocation.
 * - register (Knossos's cas-register, one register per key as Jepsen's independent histories): `:value [k v]` for
 *   :read (v nil in the invocation) and :write, `[k [from to]]` for :cas.
 * - bank: transfers `{:from 1, :to 2, :amount 5}`, reads `{0 10, 1 90}` (nil in the invocation).
 * - anything else: the JSON value as EDN (objects become maps with keyword keys).
 *
 * Ties: at the same millisecond completions come before invocations, so a process's next op never starts before
 * its previous one ends; an op that starts and ends in the same millisecond keeps its invocation first. An op that
 * never completed (completeMs null) gets an :info completion at the history's last time, as Jepsen records ops
 * still outstanding when a test ends.
 */
export function toJepsenEdn(ops: readonly WorkloadOp[]): string {
  const lastMs = ops.reduce((max, op) => Math.max(max, op.invokeMs, op.completeMs ?? Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
  interface Event {
    op: WorkloadOp;
    invoke: boolean;
    timeMs: number;
    /** 0: a completion, 1: an invocation, 2: the completion of an op that took no time. */
    rank: number;
  }
  const events: Event[] = [];
  for (const op of ops) {
    const completeMs = op.completeMs ?? lastMs;
    events.push({ op, invoke: true, timeMs: op.invokeMs, rank: 1 });
    events.push({ op, invoke: false, timeMs: completeMs, rank: completeMs === op.invokeMs ? 2 : 0 });
  }
  events.sort((a, b) => a.timeMs - b.timeMs || a.rank - b.rank || a.op.index - b.op.index);
  return events.map((event, index) => line(event.op, event.invoke, event.timeMs, index) + "\n").join("");
}

function line(op: WorkloadOp, invoke: boolean, timeMs: number, index: number): string {
  const type = invoke ? "invoke" : op.type;
  const parts = [`:index ${index}`, `:time ${Math.round(timeMs * 1e6)}`, `:type :${type}`, `:process ${op.process}`, `:f ${keywordOrString(op.f)}`, `:value ${value(op, invoke)}`];
  if (!invoke && op.error !== undefined) parts.push(`:error ${edn(op.error)}`);
  return `{${parts.join(", ")}}`;
}

function value(op: WorkloadOp, invoke: boolean): string {
  const v = op.value;
  if (op.f === "txn" && Array.isArray(v)) {
    return `[${v.map((mop) => (Array.isArray(mop) && mop[0] === "r" ? `[:r ${edn(mop[1])} ${invoke ? "nil" : edn(mop[2] ?? null)}]` : Array.isArray(mop) ? `[${keywordOrString(String(mop[0]))} ${mop.slice(1).map(edn).join(" ")}]` : edn(mop))).join(" ")}]`;
  }
  if (isObject(v) && "key" in v && (op.f === "read" || op.f === "write")) {
    return `[${edn(v.key)} ${op.f === "read" && invoke ? "nil" : edn(v.value ?? null)}]`;
  }
  if (isObject(v) && op.f === "cas" && "key" in v) return `[${edn(v.key)} [${edn(v.from)} ${edn(v.to)}]]`;
  if (isObject(v) && op.f === "read" && "balances" in v) {
    if (invoke || !isObject(v.balances)) return "nil";
    return `{${Object.entries(v.balances).map(([account, balance]) => `${/^-?\d+$/.test(account) ? account : edn(account)} ${edn(balance)}`).join(", ")}}`;
  }
  return edn(v ?? null);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `:txn` when the name is a plain keyword, else the string (an odd f must not produce unreadable EDN). */
function keywordOrString(name: string): string {
  return /^[A-Za-z*+!_?<>=-][\w*+!?<>=.-]*$/.test(name) ? `:${name}` : edn(name);
}

/** JSON to EDN: null -> nil, arrays -> vectors, objects -> maps with keyword keys (string keys if not keyword-safe). */
export function edn(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "##NaN";
    if (!Number.isFinite(v)) return v > 0 ? "##Inf" : "##-Inf";
    return String(v).replace("e+", "e");
  }
  if (typeof v === "string") return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
  if (Array.isArray(v)) return `[${v.map(edn).join(" ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${keywordOrString(k)} ${edn(x)}`).join(", ")}}`;
  return edn(String(v));
}
