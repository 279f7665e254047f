import { ExitCode } from "../../core/errors.ts";
import { mergeVerdicts, type Verdict } from "../../core/verdict.ts";
import type { ScenarioRunRecord, SuiteOutcome } from "./suite-record.ts";

/**
 * The suite's verdict and exit code: the worst of its runs under the project's contract, as each run counts for the
 * suite (a control that failed as designed counts as a pass). Worst first: 1 an SLO failed (a control that passed
 * is one) or a --baseline regression, 3 a run errored, 5 over budget (runs left unrun: nothing is known of them),
 * 4 inconclusive, 0 all passed. A signal ends it with 130/143 whatever the runs said, like `havoc run`. A merge of
 * shards that lacks a shard ("incomplete") counts as an environment error (3): a machine failed to deliver its runs.
 */
export function suiteVerdict(
  runs: readonly Pick<ScenarioRunRecord, "suiteVerdict" | "regression">[],
  outcome: SuiteOutcome,
  signal: "SIGINT" | "SIGTERM" | null = null,
): { verdict: Verdict; exitCode: number } {
  const gatedRegression = runs.some((r) => r.regression?.gating === true && r.regression.regressed);
  const counted: Verdict[] = [...runs.map((r) => r.suiteVerdict), ...(gatedRegression ? (["fail"] as const) : [])];
  // Runs that never ran prove nothing: a suite cut short cannot pass.
  if (outcome !== "completed" || runs.length === 0) counted.push(outcome === "incomplete" ? "error" : "unknown");
  const verdict = mergeVerdicts(counted);
  if (outcome === "interrupted") return { verdict, exitCode: signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted };
  if (verdict === "fail") return { verdict, exitCode: ExitCode.sloFailed };
  if (verdict === "error") return { verdict, exitCode: ExitCode.environment };
  if (outcome === "over-budget") return { verdict, exitCode: ExitCode.overBudget };
  return { verdict, exitCode: verdict === "unknown" ? ExitCode.inconclusive : ExitCode.pass };
}
