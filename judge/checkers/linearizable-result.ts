import { z } from "zod";

export const KeyOutcome = z.enum(["ok", "illegal", "unknown"]);
export type KeyOutcome = z.infer<typeof KeyOutcome>;

/** One key as porcupine-check reports it (env/go/porcupine-check/check.go, keyResult). */
export const PorcupineKeyResult = z
  .object({
    key: z.string(),
    result: KeyOutcome,
    ops: z.number().int().min(0),
    /** The search alone, bounded by the per-key timeout. */
    elapsedMs: z.number().min(0),
    visualization: z.string().nullable(),
    /** Illegal keys: the longest partial linearization found, as history indexes in linearization order. */
    linearizablePrefix: z.array(z.number().int().min(0)).optional(),
    /** Illegal keys: history index of the op that longest prefix could not get past. */
    unlinearizableOp: z.number().int().min(0).optional(),
    /** Unknown keys: why there is no answer (timeout, budget, memory); illegal keys: a missing visualization. */
    reason: z.string().optional(),
  })
  .strict();
export type PorcupineKeyResult = z.infer<typeof PorcupineKeyResult>;

/** porcupine-check's stdout (env/go/porcupine-check/run.go, output). */
export const PorcupineOutput = z
  .object({
    keys: z.array(PorcupineKeyResult),
    elapsedMs: z.number().min(0),
    peakHeapMB: z.number().min(0),
  })
  .strict();
export type PorcupineOutput = z.infer<typeof PorcupineOutput>;

export const LinearizableProblem = z.object({ line: z.number().int(), message: z.string() }).strict();

/** What checkLinearizable returns; it goes into report.json as is. */
export const LinearizableResult = z
  .object({
    /** fail: some key is not linearizable; unknown: no answer for some key, the checker died, or the input was bad. */
    verdict: z.enum(["pass", "fail", "unknown"]),
    /** One line saying why, naming the key (and for a failure, where it breaks and the visualization file). */
    why: z.string(),
    keys: z.array(PorcupineKeyResult),
    /** Wall time of the whole check, the process included. */
    elapsedMs: z.number().min(0),
    /** The per-key search bound this check ran with (timeoutMsPerKey); each key's own time is keys[].elapsedMs. */
    maxMsPerKey: z.number().min(0),
    /** Ops the checker could not use (line = index + 1); any problem makes the verdict unknown. */
    problems: z.array(LinearizableProblem),
  })
  .strict();
export type LinearizableResult = z.infer<typeof LinearizableResult>;
