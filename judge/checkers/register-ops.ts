import { z } from "zod";
import type { WorkloadOp } from "./workload-op.ts";

/** A register key as workloads write it: a small integer or a name. */
export const RegisterKey = z.union([z.number().int(), z.string().min(1)]);
export type RegisterKey = z.infer<typeof RegisterKey>;

/** Register values are integers; null is the empty register. */
const RegisterInt = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

export const RegisterReadValue = z.object({ key: RegisterKey, value: RegisterInt.nullable() });
export const RegisterWriteValue = z.object({ key: RegisterKey, value: RegisterInt });
export const RegisterCasValue = z.object({ key: RegisterKey, from: RegisterInt, to: RegisterInt });

/** One op as porcupine-check reads it (see env/go/porcupine-check/input.go). */
export interface PorcupineOp {
  process: number;
  callMs: number;
  /** null: the outcome is unknown (type info); a write or cas may then take effect at any time after callMs, or never. */
  returnMs: number | null;
  f: "read" | "write" | "cas";
  value?: number | null;
  from?: number;
  to?: number;
  /** cas only: true when it swapped, false when the register did not hold `from`. */
  ok?: boolean;
  index: number;
}

export interface PorcupineKey {
  key: string;
  ops: PorcupineOp[];
}

/** A history line the checker could not use; `line` is index + 1 (the NDJSON line). */
export interface Problem {
  line: number;
  message: string;
}

export interface RegisterHistory {
  /** Keys in ascending order (numerically when every key is a number). */
  keys: PorcupineKey[];
  problems: Problem[];
  /** Ops of type fail left out because they did not happen (a fail read, write, or a cas with a driver error). */
  droppedFailed: number;
}

/**
 * Groups register ops by key in porcupine-check's form. How each outcome is read:
 * - ok: the op happened between invokeMs and completeMs; an ok cas swapped.
 * - fail, read or write: the op did not happen; it is left out (it constrains nothing).
 * - fail, cas without `error`: the cas ran and returned false, i.e. the register did not hold `from` at some point
 *   of the interval. This is an observation and is checked (Porcupine's etcd model does the same).
 * - fail, cas with `error`: the driver failed before the cas ran (the workload records a comparison that did not
 *   match without an error); left out like any op that did not happen.
 * - info: the outcome is unknown. Writes and cas get returnMs null (they may have happened at any time after the
 *   invocation, or never, even when the client saw a timeout at completeMs); reads are passed on and dropped by
 *   porcupine-check, since a read that returned nothing constrains nothing.
 *
 * Keys are compared as text: key 3 and key "3" are the same register.
 */
export function toRegisterHistory(ops: readonly WorkloadOp[]): RegisterHistory {
  const byKey = new Map<string, { numeric: boolean; ops: PorcupineOp[] }>();
  const problems: Problem[] = [];
  let droppedFailed = 0;
  for (const op of ops) {
    const line = op.index + 1;
    const problem = (message: string) => problems.push({ line, message: `${op.f} (process ${op.process}): ${message}` });
    if (op.completeMs !== null && op.completeMs < op.invokeMs) {
      problem(`completeMs ${op.completeMs} is before invokeMs ${op.invokeMs}`);
      continue;
    }
    if (op.type === "ok" && op.completeMs === null) {
      problem("type ok needs a completeMs");
      continue;
    }
    const parsed = parseRegisterValue(op);
    if (!parsed.success) {
      problem(parsed.message);
      continue;
    }
    const { key, fields } = parsed;
    if (op.type === "fail" && (op.f !== "cas" || op.error !== undefined)) {
      droppedFailed++;
      continue;
    }
    if (op.type === "fail" && op.completeMs === null) {
      problem("a cas that returned false (type fail, no error) needs a completeMs");
      continue;
    }
    const known = op.type !== "info";
    const converted: PorcupineOp = {
      process: op.process,
      callMs: op.invokeMs,
      returnMs: known ? op.completeMs : null,
      f: op.f as PorcupineOp["f"],
      ...fields,
      ...(op.f === "cas" && known ? { ok: op.type === "ok" } : {}),
      index: op.index,
    };
    const name = String(key);
    let group = byKey.get(name);
    if (group === undefined) byKey.set(name, (group = { numeric: typeof key === "number", ops: [] }));
    group.ops.push(converted);
  }
  const entries = [...byKey.entries()];
  const allNumeric = entries.every(([, g]) => g.numeric);
  entries.sort(([a], [b]) => (allNumeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
  return { keys: entries.map(([key, g]) => ({ key, ops: g.ops })), problems, droppedFailed };
}

type ParsedValue = { success: true; key: RegisterKey; fields: Pick<PorcupineOp, "value" | "from" | "to"> } | { success: false; message: string };

function parseRegisterValue(op: WorkloadOp): ParsedValue {
  const issue = (error: z.ZodError, expected: string): ParsedValue => {
    const first = error.issues[0];
    const path = first === undefined || first.path.length === 0 ? "value" : `value.${first.path.join(".")}`;
    return { success: false, message: `${path}: ${first?.message ?? "invalid"}; expected ${expected}` };
  };
  switch (op.f) {
    case "read": {
      const r = RegisterReadValue.safeParse(op.value);
      return r.success ? { success: true, key: r.data.key, fields: { value: r.data.value } } : issue(r.error, "{ key, value: integer | null }");
    }
    case "write": {
      const r = RegisterWriteValue.safeParse(op.value);
      return r.success ? { success: true, key: r.data.key, fields: { value: r.data.value } } : issue(r.error, "{ key, value: integer }");
    }
    case "cas": {
      const r = RegisterCasValue.safeParse(op.value);
      return r.success ? { success: true, key: r.data.key, fields: { from: r.data.from, to: r.data.to } } : issue(r.error, "{ key, from: integer, to: integer }");
    }
    default:
      return { success: false, message: `f ${JSON.stringify(op.f)} is not a register op (expected read, write or cas)` };
  }
}
