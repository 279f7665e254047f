import type { Verdict } from "../../core/verdict.ts";
import type { ScenarioRunRecord } from "./suite-record.ts";

/**
 * Flakiness over the repeats of one suite (`--repeat N`): every run of a suite uses the same code, so an SLO that
 * passes in one run and fails in another is flaky, whatever its pass rate. Undecided verdicts (unknown, error) are
 * counted apart: they say nothing about whether the SLO holds.
 */

export interface SloFlakiness {
  id: string;
  /** Raw verdicts in run order (for a control, the SLO's own verdict, not what the suite counted). */
  verdicts: Verdict[];
  pass: number;
  fail: number;
  /** unknown + error. */
  undecided: number;
  /** pass / (pass + fail) in percent, one decimal; null when no run decided it. */
  passRatePercent: number | null;
  /** Passed in one run and failed in another. */
  flaky: boolean;
  /** Two runs with the same seed (the same fault plan) disagreed: timing, not the plan, decides this SLO. */
  flakyAtSameSeed: boolean;
  /** A control expects this SLO to fail: a pass rate above 0 means the harness sometimes misses the fault. */
  expectedToFail: boolean;
}

export interface ScenarioFlakiness {
  scenario: string;
  file: string;
  runs: number;
  /** Runs the suite counted as passed. */
  suitePasses: number;
  seeds: (number | null)[];
  slos: SloFlakiness[];
  /** Any SLO flaky, or the suite's own verdict differed between runs. */
  flaky: boolean;
}

const passRate = (pass: number, fail: number) => (pass + fail === 0 ? null : Math.round((1000 * pass) / (pass + fail)) / 10);

function expectedFailing(run: ScenarioRunRecord): Set<string> {
  if (run.expect !== "fail") return new Set();
  return new Set(run.expectFailing.length > 0 ? run.expectFailing : run.slos.filter((s) => s.verdict === "fail").map((s) => s.id));
}

/** Per scenario (in first-run order), per SLO (in first-seen order). */
export function aggregateFlakiness(runs: readonly ScenarioRunRecord[]): ScenarioFlakiness[] {
  const byScenario = new Map<string, ScenarioRunRecord[]>();
  for (const run of runs) byScenario.set(run.scenario, [...(byScenario.get(run.scenario) ?? []), run]);
  return [...byScenario.values()].map((group) => {
    const ids = [...new Set(group.flatMap((r) => r.slos.map((s) => s.id)))];
    const slos = ids.map((id): SloFlakiness => {
      const judged = group.map((r) => ({ seed: r.seed, verdict: r.slos.find((s) => s.id === id)?.verdict })).filter((j): j is { seed: number | null; verdict: Verdict } => j.verdict !== undefined);
      const pass = judged.filter((j) => j.verdict === "pass").length;
      const fail = judged.filter((j) => j.verdict === "fail").length;
      const bySeed = new Map<number, Set<Verdict>>();
      for (const j of judged) if (j.seed !== null && (j.verdict === "pass" || j.verdict === "fail")) bySeed.set(j.seed, (bySeed.get(j.seed) ?? new Set()).add(j.verdict));
      return {
        id,
        verdicts: judged.map((j) => j.verdict),
        pass,
        fail,
        undecided: judged.length - pass - fail,
        passRatePercent: passRate(pass, fail),
        flaky: pass > 0 && fail > 0,
        flakyAtSameSeed: [...bySeed.values()].some((v) => v.size > 1),
        expectedToFail: group.some((r) => expectedFailing(r).has(id)),
      };
    });
    const suiteVerdicts = new Set(group.map((r) => r.suiteVerdict));
    return {
      scenario: group[0]!.scenario,
      file: group[0]!.file,
      runs: group.length,
      suitePasses: group.filter((r) => r.suiteVerdict === "pass").length,
      seeds: group.map((r) => r.seed),
      slos,
      flaky: slos.some((s) => s.flaky) || (suiteVerdicts.has("pass") && suiteVerdicts.size > 1),
    };
  });
}
