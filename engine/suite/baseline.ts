import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../../core/errors.ts";
import { HISTORY_FILE, readSuiteHistory } from "./history-file.ts";
import { SuiteRecord } from "./suite-record.ts";

/**
 * `--baseline DIR`: what a suite must not regress from. A saved suite directory (its suite.json: that night's runs),
 * a history file (every night in it; the last passing run of each scenario counts), or a folder holding one
 * (a reports folder, or a CI artifact with suite-history.ndjson).
 */
export const SUITE_FILE = "suite.json";

export async function loadBaseline(path: string): Promise<SuiteRecord[]> {
  if (!existsSync(path)) throw new InputError(`--baseline ${path}: no such file or folder`, "pass a saved suite directory (havoc-results/suites/<id>) or a suite-history.ndjson");
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, SUITE_FILE))) return [await readSuiteFile(join(path, SUITE_FILE))];
    if (existsSync(join(path, HISTORY_FILE))) return readHistoryBaseline(join(path, HISTORY_FILE));
    throw new InputError(`--baseline ${path}: holds neither ${SUITE_FILE} nor ${HISTORY_FILE}`, "pass a saved suite directory (havoc-results/suites/<id>) or a suite-history.ndjson");
  }
  if (path.endsWith(".json")) return [await readSuiteFile(path)];
  return readHistoryBaseline(path);
}

async function readSuiteFile(path: string): Promise<SuiteRecord> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InputError(`--baseline ${path}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = SuiteRecord.safeParse(json);
  if (!parsed.success) throw new InputError(`--baseline ${path}: not a suite record: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

async function readHistoryBaseline(path: string): Promise<SuiteRecord[]> {
  const { records, warnings } = await readSuiteHistory(path);
  // A baseline that silently lost lines would gate against the wrong night.
  if (warnings.length > 0 && records.length === 0) throw new InputError(`--baseline ${path}: no readable suite record (${warnings[0]})`);
  if (records.length === 0) throw new InputError(`--baseline ${path}: the history is empty`);
  return records;
}
