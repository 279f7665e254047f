import { defineCommand } from "./command-spec.ts";

export const reportCommandSpec = defineCommand({
  name: "report",
  summary: "re-render a saved run's reports and print its table",
  arguments: "<run dir>",
  arity: { min: 1, max: 1, problem: "report takes exactly one run directory" },
  description:
    "Re-renders every report file of a saved run (report.json, report.html, summary.md, junit.xml, the timeline) from what it recorded; a run that was killed gets a partial report rebuilt from its events.ndjson. Prints the console table.",
  flags: {},
  examples: [
    { command: "havoc report havoc-results/latest", what: "the newest run, re-rendered" },
    { command: "havoc report havoc-results/runs/20250101-021700-abc123", what: "a run killed halfway: its partial report" },
  ],
  exitCodes: [
    [0, "re-rendered"],
    [2, "the directory holds no run, or its files are malformed"],
    [3, "a reporter failed: some files are stale or missing"],
  ],
  async run({ positionals }) {
    const { reportCommand } = await import("./report.ts");
    return reportCommand(positionals[0]!);
  },
});
