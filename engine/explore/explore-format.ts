import { formatDurationMs } from "./duration-ms.ts";
import type { ExploreResult } from "./explore.ts";

const STOPPED = { seeds: "every seed given was tried", maxRuns: "maxRuns reached", budget: "time budget spent", interrupted: "interrupted; the run under way was left out" } as const;

/** The explore result as the console prints it: what was tried, how fast, and each way it failed with a seed to replay. */
export function formatExploreTable(result: ExploreResult): string {
  const rate = result.runsPerHour === null ? "-" : result.runsPerHour.toFixed(1);
  const errors = result.runs.filter((r) => r.verdict === "error").length;
  const unknown = result.runs.filter((r) => r.verdict === "unknown").length;
  const lines = [
    `Explore: ${result.runs.length} seeds tried in ${formatDurationMs(result.wallMs)} (${rate} runs/h; ${STOPPED[result.stoppedBy]})`,
    `  ${result.failures} failed, ${result.runs.length - result.failures - errors - unknown} passed, ${errors} errored, ${unknown} unknown`,
  ];
  if (result.groups.length === 0) {
    lines.push("  no failure found");
  } else {
    const header = ["failures", "first seed", "signature", "seeds", "first run"];
    const rows = result.groups.map((g) => [String(g.count), String(g.firstSeed), g.signature, abbreviate(g.seeds.map(String)), g.runDirs[0] ?? "-"]);
    lines.push("", ...table([header, ...rows]).map((l) => `  ${l}`));
  }
  const errored = result.runs.filter((r) => r.verdict === "error" && r.error !== undefined);
  if (errored.length > 0) lines.push("", `  errors (first ${Math.min(3, errored.length)}):`, ...errored.slice(0, 3).map((r) => `    seed ${r.seed}: ${r.error}`));
  return lines.join("\n");
}

function abbreviate(items: readonly string[], max = 8): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")}, ... (+${items.length - max})`;
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join("  ").trimEnd());
}
