import { defineCommand } from "./command-spec.ts";

export const exportCommandSpec = defineCommand({
  name: "export",
  summary: "write a run's workload histories in Jepsen's history.edn format",
  arguments: "<run dir>",
  arity: { min: 1, max: 1, problem: "export takes exactly one run directory" },
  description:
    "Converts each workload history of a saved run (history-<class>.ndjson) into Jepsen's history.edn, so Elle (list-append) or Knossos (register) can check it again. Without --out each goes beside its history as history-<class>.edn. A history with a malformed line is refused (a partial history could pass a check it should fail).",
  flags: {
    format: { kind: "text", value: "FORMAT", help: "the output format; only jepsen", default: "jepsen" },
    out: { kind: "text", value: "FILE", help: "where to write (only for one history: pick it with --traffic when the run has several)", default: "history-<class>.edn in the run directory" },
    traffic: { kind: "text", value: "CLASS", help: "export this workload class's history only", default: "every history of the run" },
  },
  examples: [
    { command: "havoc export --format jepsen havoc-results/latest", what: "history-<class>.edn beside each history of the newest run" },
    { command: "havoc export havoc-results/latest --traffic txns --out history.edn", what: "one class's history, for Elle" },
  ],
  exitCodes: [
    [0, "written"],
    [2, "not a run directory, no workload history in it, a malformed history, or a bad flag"],
    [3, "a file could not be written"],
  ],
  async run({ positionals, flags }) {
    const { exportCommand } = await import("./export.ts");
    return exportCommand(positionals[0]!, { format: flags.format as string | undefined, out: flags.out as string | undefined, traffic: flags.traffic as string | undefined });
  },
});
