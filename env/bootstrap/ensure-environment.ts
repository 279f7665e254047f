import type { Logger } from "../../core/log.ts";
import { baseImage } from "./base-image.ts";
import { chromium } from "./chromium.ts";
import { dockerEngine } from "./docker-engine.ts";
import { actionlintStep, goVersion, k6Step, toxiproxyStep } from "./go-tools.ts";
import { checkImages, ensureImages, type ImageSpec } from "./images.ts";
import { netToolsStep } from "./net-tools.ts";
import { lazyfsTool, porcupineTool, projectToolStep } from "./project-go-tools.ts";
import type { BootstrapStep, StepStatus } from "./shared.ts";

export interface EnvironmentNeeds {
  docker?: boolean;
  baseImage?: boolean;
  k6?: boolean;
  toxiproxy?: boolean;
  chromium?: boolean;
  /** The workflow linter the tests run on .github/workflows (not needed by runs). */
  actionlint?: boolean;
  /** nsenter, nft, tc on the host, for network faults (faults/network/); without them they fall back to sidecars. */
  netTools?: boolean;
  /** Porcupine, for the linearizable SLO (judge/checkers/linearizable.ts). */
  porcupine?: boolean;
  /** The lazyfs FUSE filesystem, for the power-loss and I/O faults. */
  lazyfs?: boolean;
  images?: ImageSpec[];
}

export interface StepOutcome {
  step: string;
  /** True when it was missing and this run installed/started/built it. */
  installed: boolean;
  detail: string;
  elapsedMs: number;
}

export interface DoctorLine {
  step: string;
  present: boolean;
  detail: string;
}

function imagesStep(specs: ImageSpec[]): BootstrapStep {
  const check = () => checkImages(specs);
  return {
    name: "images",
    check,
    async ensure(logger) {
      await ensureImages(specs, logger);
      return check();
    },
  };
}

/** A step and the steps it waits for (by name, listed before it). */
export interface PlannedStep {
  step: BootstrapStep;
  after: string[];
}

/**
 * The steps a command needs, in the order they are reported. Only the Docker chain depends on itself (images need the
 * base image, which needs the engine); everything else is independent. Steps that compete for one thing queue on it
 * themselves: apt installs one at a time (shared.ts aptInstall), Go builds one at a time (go-tools.ts).
 */
function stepsFor(needs: EnvironmentNeeds): PlannedStep[] {
  const images = needs.images ?? [];
  const steps: PlannedStep[] = [];
  const engine = needs.docker || needs.baseImage || images.length > 0;
  const base = needs.baseImage || images.length > 0;
  if (engine) steps.push({ step: dockerEngine, after: [] });
  if (base) steps.push({ step: baseImage, after: [dockerEngine.name] });
  if (needs.k6) steps.push({ step: k6Step, after: [] });
  if (needs.toxiproxy) steps.push({ step: toxiproxyStep, after: [] });
  if (needs.chromium) steps.push({ step: chromium, after: [] });
  if (needs.actionlint) steps.push({ step: actionlintStep, after: [] });
  if (needs.netTools) steps.push({ step: netToolsStep, after: [] });
  if (needs.porcupine) steps.push({ step: projectToolStep(porcupineTool), after: [] });
  if (needs.lazyfs) steps.push({ step: projectToolStep(lazyfsTool), after: [] });
  // The toxiproxy image copies the server binary the toxiproxy step builds.
  if (images.length > 0) steps.push({ step: imagesStep(images), after: [baseImage.name, ...(needs.toxiproxy ? [toxiproxyStep.name] : [])] });
  return steps;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A logger whose lines carry the step's name, so steps running at once stay readable: "[k6] building ...". A message
 * that already starts with the step's name ("k6: building") does not repeat it.
 */
function stepLogger(logger: Logger, name: string): Logger {
  const prefix = `[${name}] `;
  const strip = (message: string) => (message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);
  return {
    info: (message) => logger.info(prefix + strip(message)),
    warn: (message) => logger.warn(prefix + strip(message)),
    step: (what, work) => logger.step(prefix + strip(what), work),
  };
}

export interface EnsureOptions {
  /**
   * Default true: independent steps run at once (a cold machine: the k6 build beside the engine, debootstrap, apt and
   * the images). False runs them one after another in the order listed, as before.
   */
  parallel?: boolean;
}

/**
 * Makes the machine ready for what a command needs, installing only what is missing. Idempotent: on a ready
 * machine every step is a check (ms). Throws EnvironmentError (exit 3) naming the failing step; when steps run at once,
 * the others still finish first (a half-done apt or build is not left behind), and steps waiting for a failed one
 * never start.
 */
export function ensureEnvironment(needs: EnvironmentNeeds, logger: Logger, options: EnsureOptions = {}): Promise<StepOutcome[]> {
  return runBootstrapSteps(stepsFor(needs), logger, options);
}

/** ensureEnvironment's scheduler over any steps (tests give it fakes). */
export async function runBootstrapSteps(planned: PlannedStep[], logger: Logger, options: EnsureOptions = {}): Promise<StepOutcome[]> {
  const parallel = options.parallel ?? true;
  const startedMs = Date.now();
  const runs = new Map<string, Promise<StepOutcome>>();
  const runStep = async ({ step, after }: PlannedStep, index: number): Promise<StepOutcome> => {
    const header = parallel ? `[${step.name}]` : `[${index + 1}/${planned.length}] ${step.name}:`;
    // A dependency that failed rejects here, and this step never starts.
    for (const name of after) {
      const dependency = runs.get(name);
      if (dependency === undefined && parallel) throw new Error(`bootstrap step ${step.name} waits for ${name}, which is not listed before it`);
      await dependency;
    }
    const stepStartedMs = Date.now();
    let status: StepStatus = await step.check();
    const installed = !status.present;
    if (status.present) logger.info(`${header} present (${status.detail})`);
    else {
      logger.info(`${header} missing, setting up (${status.detail})`);
      status = await step.ensure(parallel ? stepLogger(logger, step.name) : logger);
      logger.info(`${header} ready in ${seconds(Date.now() - stepStartedMs)} (${status.detail})`);
    }
    return { step: step.name, installed, detail: status.detail, elapsedMs: Date.now() - stepStartedMs };
  };
  if (!parallel) {
    const outcomes: StepOutcome[] = [];
    for (const [index, planStep] of planned.entries()) outcomes.push(await runStep(planStep, index));
    logger.info(`environment ready in ${seconds(Date.now() - startedMs)}`);
    return outcomes;
  }
  // Dependencies come earlier in the list, so each step's promise exists before a later step awaits it.
  for (const [index, planStep] of planned.entries()) runs.set(planStep.step.name, runStep(planStep, index));
  const settled = await Promise.allSettled(runs.values());
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    const names = planned.filter((_, i) => settled[i]?.status === "rejected").map((p) => p.step.name);
    logger.info(`environment not ready after ${seconds(Date.now() - startedMs)}: ${names.join(", ")} failed or could not start`);
    throw failed.reason;
  }
  const outcomes = settled.map((s) => (s as PromiseFulfilledResult<StepOutcome>).value);
  const longest = outcomes.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a), outcomes[0] ?? { step: "none", elapsedMs: 0 });
  logger.info(`environment ready in ${seconds(Date.now() - startedMs)}${outcomes.some((o) => o.installed) ? ` (steps at once; longest: ${longest.step} ${seconds(longest.elapsedMs)})` : ""}`);
  return outcomes;
}

/** What `havoc doctor` prints: every step's state, installing nothing. */
export async function doctorReport(images: ImageSpec[] = []): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  const add = async (step: BootstrapStep) => lines.push({ step: step.name, ...(await step.check()) });
  await add(dockerEngine);
  const engineUp = lines[0]?.present === true;
  if (engineUp) await add(baseImage);
  else lines.push({ step: baseImage.name, present: false, detail: "unknown: no engine answers" });
  const go = await goVersion();
  lines.push({ step: "go toolchain", present: go !== undefined, detail: go ?? "`go` not on PATH (needed only to build k6/toxiproxy)" });
  await add(k6Step);
  await add(toxiproxyStep);
  await add(chromium);
  await add(actionlintStep);
  await add(netToolsStep);
  if (images.length > 0) {
    if (engineUp) await add(imagesStep(images));
    else lines.push({ step: "images", present: false, detail: "unknown: no engine answers" });
  }
  return lines;
}
