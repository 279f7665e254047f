import { pathToFileURL } from "node:url";
import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { InputError, errorMessage } from "../../core/errors.ts";
import { startBrowserJourneys, type Journey } from "../browser-journey.ts";
import { moduleFile, TrafficTarget, trafficBaseFields } from "./common.ts";
import type { LaunchContext, RunningTraffic, TrafficClassResult, TrafficKind } from "./traffic-kind.ts";

/**
 * People in a real browser (playwright-core + Debian chromium): each journey runs the `journey` module's default
 * export with a fresh browser context (a new person). `contexts` journeys run at once at most; a journey starts every
 * 60 s / journeysPerMinute (a start that finds every context busy is dropped and counted). Every step is a "read"
 * op; a failed step's screenshot lands in <run dir>/screenshots/.
 */
export const BrowserClass = z
  .object({
    script: z.literal("browser"),
    ...trafficBaseFields,
    target: TrafficTarget,
    /** The journey module (relative to the scenario file): `export default async function (page, ctx) { ... }`. */
    journey: moduleFile("journey module"),
    /** Per-step timeout. Default 15 s. */
    requestTimeout: DurationMs.default(15_000),
    /** Browser contexts (people) at once. Default 2. */
    contexts: z.number().int().min(1).max(20).default(2),
    /** Journeys started per minute (all contexts). Default 12. */
    journeysPerMinute: z.number().positive().max(600).default(12),
    /** At most this many journeys in total. Default 1000. */
    maxJourneys: z.number().int().positive().max(100_000).default(1_000),
  })
  .strict();
export type BrowserClass = z.infer<typeof BrowserClass>;

/** Loads the journey module; one whose default export is not a function is bad input, refused before anything starts. */
async function loadJourney(c: BrowserClass): Promise<Journey> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(c.journey).href)) as { default?: unknown };
  } catch (error) {
    throw new InputError(`traffic ${c.name}: cannot load journey ${c.journey}: ${errorMessage(error)}`, "fix the journey module", { cause: error });
  }
  if (typeof module.default !== "function") throw new InputError(`traffic ${c.name}: journey ${c.journey} has no default export function`, "export default async function (page, ctx) { await ctx.step(...) }");
  return module.default as Journey;
}

function launch(c: BrowserClass, ctx: LaunchContext): RunningTraffic {
  let stopHandle: (() => Promise<void>) | undefined;
  let stopRequested = false;
  const done = (async (): Promise<TrafficClassResult> => {
    const journey = await loadJourney(c);
    const handle = startBrowserJourneys({
      traffic: c.name,
      journey,
      baseUrl: ctx.url(c.target),
      executablePath: ctx.chromiumPath,
      contexts: c.contexts,
      journeysPerMinute: c.journeysPerMinute,
      durationMs: c.duration,
      maxJourneys: c.maxJourneys,
      stepTimeoutMs: c.requestTimeout,
      screenshotDir: `${ctx.runDir}/screenshots`,
      onOp: ctx.onOp,
      logger: ctx.log,
    });
    stopHandle = handle.stop;
    if (stopRequested) void handle.stop();
    const browser = await handle.done.catch((error: unknown) => {
      ctx.log.warn(`browser traffic ${c.name} failed: ${errorMessage(error)}`);
      throw error;
    });
    return {
      kind: "browser",
      processes: [],
      browser,
      exitCode: 0,
      signal: null,
      httpReqs: browser.steps,
      iterations: browser.journeys,
      droppedIterations: browser.dropped,
      opLines: browser.steps,
      badOpLines: 0,
      requestFailedLines: 0,
      killedBySafetyNet: false,
      summaryPath: "",
    };
  })();
  done.catch(() => undefined);
  const stop = async () => {
    stopRequested = true;
    await stopHandle?.();
  };
  return { done, stop };
}

export const browserKind: TrafficKind<BrowserClass> = {
  script: "browser",
  schema: BrowserClass,
  targets: (c) => [c.target],
  checksReadYourWrites: () => false,
  files: ["journey"],
  // Loaded once up front only to refuse a bad module before anything starts; launch imports it again (cached).
  prepare: async (c) => (await loadJourney(c), c.journey),
  launch,
};
