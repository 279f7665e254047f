import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { EnvironmentError, InputError, errorMessage } from "../core/errors.ts";
import type { OpRecord, Outcome } from "../core/history.ts";
import { log as defaultLogger, type Logger } from "../core/log.ts";

/**
 * Browser journeys: people using the system in a real browser (Debian chromium driven by playwright-core), each
 * journey a module of the scenario's (`journey`, e.g. trackr's dashboard: open it, wait for a newer reading) that
 * runs its steps through `ctx.step`.
 *
 * Pace: a journey starts every 60 s / journeysPerMinute in a fresh browser context (a new person: no cookies,
 * no cache); at most `contexts` run at once, and a start that finds them all busy is dropped (counted in
 * `dropped`, like k6's dropped_iterations). No journey starts after `durationMs` or beyond `maxJourneys`; one in
 * progress at the end finishes (each step is bounded by `stepTimeoutMs`). Every step is a "read" op in the run's
 * timeline; a step that did not end ok leaves a screenshot in `screenshotDir`.
 */

export const browserLaunchArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"];

/** How one step of a journey ended; `node` is the node that served it, when the page tells. */
export interface JourneyStep {
  outcome: Outcome;
  cause: string;
  node?: string;
}

/** What a journey module gets besides its page. */
export interface JourneyContext {
  /** http://127.0.0.1:<port> of the class's target (traffic rule: loopback only). */
  baseUrl: string;
  /** Every step's deadline (the page's default timeout too). */
  stepTimeoutMs: number;
  /**
   * Runs one step, one "read" op in the timeline: `work` returns how it ended (nothing: ok, cause `<name>_ok`); a
   * throw is classified by chromium's error (refused: fail; reset: unknown; a timeout: `timeoutIs`, default fail,
   * "unknown" for a navigation that may still have been served). A step that did not end ok leaves a screenshot.
   * Returns whether the journey may go on.
   */
  step(name: string, work: () => Promise<JourneyStep | void>, options?: { timeoutIs?: "fail" | "unknown" }): Promise<boolean>;
}

/** A journey module's default export: one person's visit, steps through ctx.step, bounded by their timeouts. */
export type Journey = (page: Page, ctx: JourneyContext) => Promise<void>;

export interface BrowserJourneyOptions {
  traffic: string;
  /** The person's visit (the journey module's default export). */
  journey: Journey;
  /** http://127.0.0.1:<port> of the load balancer (traffic rule: loopback only). */
  baseUrl: string;
  executablePath: string;
  contexts: number;
  journeysPerMinute: number;
  durationMs: number;
  maxJourneys: number;
  stepTimeoutMs: number;
  screenshotDir: string;
  onOp(op: OpRecord): void;
  logger?: Logger;
}

export interface BrowserResult {
  journeys: number;
  /** Journeys whose every step was ok. */
  okJourneys: number;
  /** Steps (= op lines). */
  steps: number;
  /** Starts dropped because every context was busy. */
  dropped: number;
  screenshots: string[];
}

export interface BrowserHandle {
  /** Resolves when the last journey ended and the browser is closed; rejects when chromium could not start. */
  done: Promise<BrowserResult>;
  /** Starts no more journeys, abandons the running ones (their unfinished steps print no op) and closes the browser. */
  stop(): Promise<void>;
}

export function startBrowserJourneys(options: BrowserJourneyOptions): BrowserHandle {
  const logger = options.logger ?? defaultLogger;
  const host = URL.canParse(options.baseUrl) ? new URL(options.baseUrl).hostname : "";
  if (host !== "127.0.0.1" && host !== "[::1]") throw new InputError(`traffic ${options.traffic}: browser target ${options.baseUrl} is not loopback`);
  const intervalMs = 60_000 / options.journeysPerMinute;
  const result: BrowserResult = { journeys: 0, okJourneys: 0, steps: 0, dropped: 0, screenshots: [] };
  let stopping = false;
  let wake: (() => void) | undefined;
  let browser: Browser | undefined;
  const running = new Set<Promise<void>>();

  const emit = (step: JourneyStep, startEpochMs: number) => {
    if (stopping) return;
    result.steps++;
    const op: OpRecord = { traffic: options.traffic, op: "read", startEpochMs, durationMs: Date.now() - startEpochMs, outcome: step.outcome, cause: step.cause };
    if (step.node) op.node = step.node;
    options.onOp(op);
  };

  /** Runs one step; a non-ok end saves a screenshot. Returns whether the journey may go on. */
  const step = async (page: Page, journey: number, name: string, work: () => Promise<JourneyStep | void>, timeoutIs: "fail" | "unknown"): Promise<boolean> => {
    const startEpochMs = Date.now();
    let outcome: JourneyStep;
    try {
      outcome = (await work()) ?? { outcome: "ok", cause: `${name}_ok` };
    } catch (error) {
      if (stopping) return false;
      outcome = classifyError(name, error, timeoutIs);
    }
    emit(outcome, startEpochMs);
    if (outcome.outcome !== "ok" && !stopping) {
      const path = join(options.screenshotDir, `${options.traffic}-journey${journey}-${name}.png`);
      try {
        await page.screenshot({ path, timeout: 5_000 });
        result.screenshots.push(path);
      } catch (error) {
        logger.warn(`traffic ${options.traffic}: no screenshot of failed step ${name} of journey ${journey}: ${errorMessage(error)}`);
      }
    }
    return outcome.outcome === "ok";
  };

  const journey = async (b: Browser, n: number): Promise<void> => {
    const context = await b.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(options.stepTimeoutMs);
      let allOk = true;
      const ctx: JourneyContext = {
        baseUrl: options.baseUrl,
        stepTimeoutMs: options.stepTimeoutMs,
        step: async (name, work, stepOptions) => {
          const ok = await step(page, n, name, work, stepOptions?.timeoutIs ?? "fail");
          allOk &&= ok;
          return ok;
        },
      };
      await options.journey(page, ctx);
      if (allOk && !stopping) result.okJourneys++;
    } finally {
      await context.close().catch(() => undefined);
    }
  };

  const done = (async (): Promise<BrowserResult> => {
    await mkdir(options.screenshotDir, { recursive: true });
    const launchStartMs = Date.now();
    try {
      // Signals are havoc's to handle: Playwright's own SIGINT handler would exit the process (130) before teardown.
      browser = await chromium.launch({ executablePath: options.executablePath, headless: true, args: browserLaunchArgs, timeout: 30_000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    } catch (error) {
      throw new EnvironmentError(`cannot start chromium at ${options.executablePath}: ${errorMessage(error)}`, "run `havoc setup` (installs Debian's chromium)", { cause: error });
    }
    logger.info(`browser for traffic ${options.traffic} started in ${Date.now() - launchStartMs} ms: ${options.contexts} context(s), ${options.journeysPerMinute} journeys/min`);
    const startMs = Date.now();
    const endMs = startMs + options.durationMs;
    try {
      for (let slot = 0; !stopping && result.journeys < options.maxJourneys; slot++) {
        const slotMs = startMs + slot * intervalMs;
        if (slotMs >= endMs) break;
        const waitMs = slotMs - Date.now();
        if (waitMs > 0) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, waitMs)));
        if (stopping) break;
        if (running.size >= options.contexts) {
          result.dropped++;
          continue;
        }
        const n = ++result.journeys;
        const p: Promise<void> = journey(browser, n)
          .catch((error: unknown) => {
            if (!stopping) logger.warn(`traffic ${options.traffic}: journey ${n} broke: ${errorMessage(error)}`);
          })
          .finally(() => running.delete(p));
        running.add(p);
      }
      await Promise.all(running);
    } finally {
      await browser.close().catch(() => undefined);
    }
    logger.info(`browser for traffic ${options.traffic} finished: ${result.journeys} journeys (${result.okJourneys} ok), ${result.steps} steps, ${result.dropped} dropped`);
    return result;
  })();
  done.catch(() => undefined);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      wake?.();
      await browser?.close().catch(() => undefined);
      await done.catch(() => undefined);
    })();
    return stopped;
  };
  return { done, stop };
}

/** Playwright errors carry chromium's net error names (net::ERR_CONNECTION_REFUSED) and TimeoutError. */
function classifyError(step: string, error: unknown, timeoutIs: "fail" | "unknown"): JourneyStep {
  const message = errorMessage(error);
  // A page that was there but showed nothing new is a definite failure; only a navigation may still have been served.
  if (error instanceof Error && error.name === "TimeoutError") return { outcome: timeoutIs, cause: `${step}_timeout` };
  if (/ERR_CONNECTION_REFUSED/.test(message)) return { outcome: "fail", cause: `${step}_refused` };
  if (/ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_CONNECTION_CLOSED/.test(message)) return { outcome: "unknown", cause: `${step}_reset` };
  return { outcome: "unknown", cause: `${step}_error` };
}
