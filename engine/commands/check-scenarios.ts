import { relative } from "node:path";
import { formatDuration } from "../../core/duration.ts";
import { describeCondition } from "../../core/error-condition.ts";
import { InputError, errorMessage } from "../../core/errors.ts";
import { selectionCount, selectorPool } from "../../core/selector.ts";
import { makePlan, type PlannedFault } from "../../scenario/plan.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { expandScenarioPaths } from "../suite/select-scenarios.ts";
import { enableTypeScriptImports } from "./typescript-imports.ts";

/**
 * `havoc check` and `checkScenarios` of `havoc/runner`: every scenario file loaded and validated, and its plan for a
 * seed resolved (inject/heal times, the nodes each fault hits), without Docker, images or containers.
 */

export interface CheckedTraffic {
  name: string;
  /** The traffic kind ("k6", "browser"). */
  script: string;
  durationMs: number;
}

export interface CheckedFault {
  id: string;
  kind: string;
  /** Inject at, ms from traffic start. */
  atMs: number;
  /** Heal at, ms from traffic start. */
  healAtMs: number;
  /** The nodes the plan holds for it (mode "primary": every candidate; the primary is found at injection). */
  targets: string[];
  /** The targets in words: "app-2 (1 of app-1, app-2, app-3, drawn by the seed)", "the primary of db, found at injection (...)". */
  targetsText: string;
  /** A step started on a condition: "when devices errors >= 100% for 10 s, by 1m10s" (`atMs` is then the earliest start). */
  whenText?: string;
}

export interface CheckedPlan {
  scenario: string;
  description: string;
  tags: string[];
  seed: number;
  /** Where the seed came from: the option, the scenario's `seed`, or neither (then a run draws one; the plan shown is for seed 0). */
  seedFrom: "option" | "scenario" | "none";
  trafficEndMs: number;
  tailMs: number;
  traffic: CheckedTraffic[];
  faults: CheckedFault[];
  slos: { id: string; kind: string }[];
}

export interface CheckedFile {
  /** The path as given or found, relative to the working directory. */
  file: string;
  ok: boolean;
  plan?: CheckedPlan;
  /** Why it cannot run: each problem one line ("at faults[0].at: ..."). */
  problems?: string[];
  /** How to fix it, when havoc knows. */
  hint?: string;
}

export interface CheckOptions {
  /** The seed to resolve the plans for; default each scenario's own `seed`, else 0. */
  seed?: number;
  /** Where relative paths start; default the current directory. */
  cwd?: string;
}

/** The seed used for a scenario without one and no --seed: fixed, so that the same files always print the same plan. */
const seedWhenNone = 0;

/**
 * Loads and validates every scenario file the paths name (files, folders, globs) and resolves each one's plan.
 * Never throws for a bad file or a pattern that names nothing: each is a file entry with `ok: false` and its problems,
 * so that every mistake is reported at once.
 */
export async function checkScenarios(paths: readonly string[], options: CheckOptions = {}): Promise<{ files: CheckedFile[] }> {
  const seed = options.seed;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new InputError(`seed must be a whole number >= 0, got ${seed}`);
  if (paths.length === 0) throw new InputError("check needs at least one scenario file, folder or glob", "e.g. havoc check scenarios");
  const cwd = options.cwd ?? process.cwd();
  await enableTypeScriptImports();
  const files: CheckedFile[] = [];
  const absolute: string[] = [];
  for (const pattern of paths) {
    try {
      absolute.push(...(await expandScenarioPaths([pattern], cwd)));
    } catch (error) {
      files.push(failed(pattern, error));
    }
  }
  const names = new Map<string, string>();
  for (const path of [...new Set(absolute)]) {
    const file = relative(cwd, path) || path;
    let scenario: Scenario;
    try {
      scenario = await loadScenarioFile(path);
    } catch (error) {
      files.push(failed(file, error, path));
      continue;
    }
    // A suite keys history on the name and refuses two files with one name: say so before the suite does.
    const other = names.get(scenario.name);
    if (other !== undefined) {
      files.push({ file, ok: false, problems: [`${other} names its scenario "${scenario.name}" too`], hint: "give each scenario its own name (suites key history and trends on it)" });
      continue;
    }
    names.set(scenario.name, file);
    files.push({ file, ok: true, plan: planOf(scenario, seed) });
  }
  return { files };
}

function planOf(scenario: Scenario, seedOption: number | undefined): CheckedPlan {
  const seed = seedOption ?? scenario.seed ?? seedWhenNone;
  const plan = makePlan(scenario, seed);
  return {
    scenario: scenario.name,
    description: scenario.description,
    tags: scenario.tags,
    seed,
    seedFrom: seedOption !== undefined ? "option" : scenario.seed !== undefined ? "scenario" : "none",
    trafficEndMs: plan.trafficEndMs,
    tailMs: scenario.tail,
    traffic: scenario.traffic.map((t) => ({ name: t.name, script: t.script, durationMs: t.duration })),
    faults: plan.faults.map((f) => ({ id: f.id, kind: f.kind, atMs: f.atMs, healAtMs: f.healAtMs, targets: f.targets, targetsText: targetsText(f, scenario), ...whenText(f, scenario) })),
    slos: scenario.slos.map((s) => ({ id: s.id, kind: s.kind })),
  };
}

function whenText(fault: PlannedFault, scenario: Scenario): { whenText?: string } {
  if (fault.spec.kind !== "restore" || !fault.spec.when) return {};
  const gated = scenario.traffic.filter((t) => t.gate !== false).map((t) => t.name);
  return { whenText: `when ${describeCondition(fault.spec.when, gated)}, by ${formatDuration(fault.atMs + fault.spec.when.within)}` };
}

function targetsText(fault: PlannedFault, scenario: Scenario): string {
  const spec = fault.spec;
  if ("link" in spec) return `${fault.targets.join(", ")} (behind link "${spec.link}")`;
  const selector = spec.target;
  const pool = selectorPool(selector, scenario.topology.nodes);
  if (selector.mode === "primary") return `the primary of ${selector.role}, found at injection (one of ${pool.join(", ")})`;
  const count = selectionCount(selector, pool.length);
  if (count >= pool.length) return fault.targets.join(", ");
  return `${fault.targets.join(", ")} (${count} of ${pool.join(", ")}, drawn by the seed)`;
}

/** A file that cannot run: its message split into the headline and one line per problem, the path left off. */
function failed(file: string, error: unknown, path = file): CheckedFile {
  if (!(error instanceof InputError)) return { file, ok: false, problems: [`could not be checked: ${errorMessage(error)}`] };
  const [first, ...rest] = error.message.split("\n");
  const headline = first!.startsWith(`${path}: `) ? first!.slice(path.length + 2) : first!;
  const problems = [headline, ...rest.map((l) => l.trim())].filter((l) => l !== "");
  return { file, ok: false, problems, ...(error.hint ? { hint: error.hint } : {}) };
}
