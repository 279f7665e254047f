import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../../core/errors.ts";
import { SuiteRecord } from "./suite-record.ts";

/**
 * shard.json, written beside suite.json by a suite run with `--shard i/n`: which shard this is, what it was given
 * and how the partition was computed. `havoc suite merge` reads it to check that the shards belong to one suite run
 * (same selection, flags, commit, history) and to know the runs of a shard that never delivered.
 */

export const SHARD_FILE = "shard.json";

const Unit = z.object({ scenario: z.string(), file: z.string(), repeat: z.number().int().min(1) });

export const ShardFile = z.object({
  schemaVersion: z.literal(1),
  shard: z.object({ index: z.number().int().min(1), total: z.number().int().min(1) }),
  /** This shard's own suite id (its directory's name). */
  suiteId: z.string(),
  name: z.string(),
  command: z.string(),
  gitCommit: z.string().nullable(),
  selection: SuiteRecord.shape.selection,
  repeat: z.number().int().min(1),
  seeds: SuiteRecord.shape.seeds,
  budgetMs: z.number().nullable(),
  baseline: z.string().nullable(),
  /** --tolerance-points and --latency-tolerance-percent as given (absent: the defaults). */
  tolerances: z.object({ availabilityTolerancePoints: z.number().optional(), latencyTolerancePercent: z.number().optional() }),
  /** The history the partition and the regression marks were computed from: its length and its newest suite. */
  history: z.object({ suites: z.number().int().min(0), lastSuiteId: z.string().nullable() }),
  balancedBy: z.enum(["wall-time", "count"]),
  /** Every run of the selection in plan order, with the shard it fell to and its weight (ms; null: none recorded). */
  plan: z.array(Unit.extend({ shard: z.number().int().min(1), weightMs: z.number().nullable() })),
  /** Predicted load of each shard (index 0 = shard 1): ms of wall time, or runs when balanced by count. */
  predicted: z.array(z.number()),
  /** The runs this shard was given, in the order it ran them (suite.json says how each ended). */
  units: z.array(Unit),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().min(0),
});
export type ShardFile = z.infer<typeof ShardFile>;

export async function writeShardFile(suiteDir: string, shard: ShardFile): Promise<void> {
  const path = join(suiteDir, SHARD_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(ShardFile.parse(shard), null, 2) + "\n", "utf8");
  await rename(`${path}.tmp`, path);
}

/** Reads and validates one JSON file of a shard directory; every problem names the file and the field. */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new InputError(`${path}: missing: not ${what}`, "pass the suite directories that `havoc suite ... --shard i/n` wrote (each holds shard.json and suite.json)");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new InputError(`${path}: not ${what}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
