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

/** Steps in dependency order: images need the base image, which needs the engine. */
function stepsFor(needs: EnvironmentNeeds): BootstrapStep[] {
  const images = needs.images ?? [];
  const steps: BootstrapStep[] = [];
  if (needs.docker || needs.baseImage || images.length > 0) steps.push(dockerEngine);
  if (needs.baseImage || images.length > 0) steps.push(baseImage);
  if (needs.k6) steps.push(k6Step);
  if (needs.toxiproxy) steps.push(toxiproxyStep);
  if (needs.chromium) steps.push(chromium);
  if (needs.actionlint) steps.push(actionlintStep);
  if (needs.netTools) steps.push(netToolsStep);
  if (needs.porcupine) steps.push(projectToolStep(porcupineTool));
  if (needs.lazyfs) steps.push(projectToolStep(lazyfsTool));
  if (images.length > 0) steps.push(imagesStep(images));
  return steps;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Makes the machine ready for what a command needs, installing only what is missing. Idempotent: on a ready
 * machine every step is a check (ms). Throws EnvironmentError (exit 3) naming the failing step.
 */
export async function ensureEnvironment(needs: EnvironmentNeeds, logger: Logger): Promise<StepOutcome[]> {
  const steps = stepsFor(needs);
  const startedMs = Date.now();
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of steps.entries()) {
    const header = `[${index + 1}/${steps.length}] ${step.name}`;
    const stepStartedMs = Date.now();
    let status: StepStatus = await step.check();
    const installed = !status.present;
    if (status.present) logger.info(`${header}: present (${status.detail})`);
    else {
      logger.info(`${header}: missing, setting up (${status.detail})`);
      status = await step.ensure(logger);
      logger.info(`${header}: ready in ${seconds(Date.now() - stepStartedMs)} (${status.detail})`);
    }
    outcomes.push({ step: step.name, installed, detail: status.detail, elapsedMs: Date.now() - stepStartedMs });
  }
  logger.info(`environment ready in ${seconds(Date.now() - startedMs)}`);
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
