import { z } from "zod";

/**
 * One operation of a workload whose history a checker reads (Jepsen's history model, with the invocation and the
 * completion in one record). A workload writes one NDJSON line per op to `<run dir>/history-<traffic>.ndjson` when
 * the op completes, so a killed run keeps every completed op; ops still in flight when traffic ends are written
 * with type "info" and completeMs null.
 *
 * Value shapes per workload (`f`):
 * - list-append, f "txn": an array of micro-ops, `["append", key, element]` or `["r", key, list | null]` (null
 *   until the read completes, or when the transaction failed).
 * - register, f "read": `{ key, value: number | null }` (null: the register was empty, or the read did not
 *   complete); f "write": `{ key, value }`; f "cas": `{ key, from, to }`.
 * - bank, f "transfer": `{ from, to, amount }` (account numbers, amount > 0); f "read": `{ balances: { [account]:
 *   number } | null }`.
 */
export const OpType = z.enum(["ok", "fail", "info"]);
export type OpType = z.infer<typeof OpType>;

export const ListAppendMop = z.union([
  z.tuple([z.literal("append"), z.number().int(), z.number().int()]),
  z.tuple([z.literal("r"), z.number().int(), z.array(z.number().int()).nullable()]),
]);
export type ListAppendMop = z.infer<typeof ListAppendMop>;

export const WorkloadOp = z
  .object({
    /** Position in the history file (line number - 1). */
    index: z.number().int().min(0),
    /** The client that issued it (one op at a time per process). */
    process: z.number().int().min(0),
    /** "txn" (list-append), "read" | "write" | "cas" (register), "transfer" | "read" (bank). */
    f: z.string().min(1),
    type: OpType,
    /** Invocation, ms from traffic start (the run clock shared with faults and probes). */
    invokeMs: z.number(),
    /** Completion, ms from traffic start; null when the outcome is unknown because it never completed. */
    completeMs: z.number().nullable(),
    value: z.unknown(),
    /** Node that served it, when known. */
    node: z.string().optional(),
    /** Why it failed or is unknown (driver error, timeout). */
    error: z.string().optional(),
  })
  .strict();
export type WorkloadOp = z.infer<typeof WorkloadOp>;
