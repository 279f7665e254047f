import { defineCommand } from "./command-spec.ts";

export const compareCommandSpec = defineCommand({
  name: "compare",
  summary: "compare two runs' reports; exit 1 when the candidate regressed",
  arguments: "<baseline run> <candidate run>",
  arity: { min: 2, max: 2, problem: "compare takes a baseline and a candidate run directory" },
  description:
    "Compares two runs of a scenario (their report.json): the verdict, each SLO, and each traffic class's availability and latency percentiles. A drop or rise beyond the tolerances is a regression. A run that did not finish still compares (its SLOs were not judged: said so).",
  flags: {
    "tolerance-points": { kind: "number", value: "N", help: "availability may drop this many percentage points before it is a regression", default: "0.5" },
    "latency-tolerance-percent": { kind: "number", value: "N", help: "latency may grow this many percent before it is a regression", default: "20" },
  },
  examples: [
    { command: "havoc compare havoc-results/runs/<before> havoc-results/latest", what: "did the last run get worse?" },
    { command: "havoc compare old-run new-run --latency-tolerance-percent 50", what: "with a looser latency tolerance on a noisy machine" },
  ],
  exitCodes: [
    [0, "no regression"],
    [1, "the candidate regressed"],
    [2, "a directory holds no run, or a report is malformed"],
  ],
  async run({ positionals, text }) {
    const { compareCommand } = await import("./compare.ts");
    const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.at(-1) : value);
    return compareCommand(positionals[0]!, positionals[1]!, { tolerancePoints: one(text["tolerance-points"]), latencyTolerancePercent: one(text["latency-tolerance-percent"]) });
  },
});
