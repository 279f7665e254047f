import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SuiteRecord } from "./suite-record.ts";

/**
 * The history across nights: havoc-results/suite-history.ndjson, one SuiteRecord (JSON) per line, appended when a suite
 * ends. Append-only, so two nights never rewrite each other; read leniently, so one torn or foreign line (a killed
 * writer, a newer schema) costs that line, not the history.
 */

export const HISTORY_FILE = "suite-history.ndjson";

/** One line, one write: appendFile with O_APPEND puts a line this size whole at the end. */
export async function appendSuiteRecord(path: string, record: SuiteRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, JSON.stringify(SuiteRecord.parse(record)) + "\n", "utf8");
}

export interface SuiteHistory {
  /** Oldest first, as appended. */
  records: SuiteRecord[];
  /** Lines skipped, each named. */
  warnings: string[];
}

export function parseSuiteHistory(text: string, path: string): SuiteHistory {
  const records: SuiteRecord[] = [];
  const warnings: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warnings.push(`${path}:${i + 1}: skipped, not JSON (a torn write?)`);
      return;
    }
    const parsed = SuiteRecord.safeParse(json);
    if (parsed.success) records.push(parsed.data);
    else warnings.push(`${path}:${i + 1}: skipped, not a suite record (${parsed.error.issues[0]?.path.join(".") || "root"}: ${parsed.error.issues[0]?.message ?? "?"})`);
  });
  return { records, warnings };
}

/** A missing file is an empty history: the first night has no past. */
export async function readSuiteHistory(path: string): Promise<SuiteHistory> {
  if (!existsSync(path)) return { records: [], warnings: [] };
  return parseSuiteHistory(await readFile(path, "utf8"), path);
}
