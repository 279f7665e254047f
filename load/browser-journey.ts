import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { EnvironmentError, InputError, errorMessage } from "../core/errors.ts";
import type { OpRecord, Outcome } from "../core/history.ts";
import { log as defaultLogger, type Logger } from "../core/log.ts";

/**
 * Browser journeys: a person opens trackr's dashboard in a real browser (Debian chromium driven by playwright-core)
 * and waits until the latest reading shown changes to a newer one (the device fleet keeps writing). trackr has no
 * sign-in, so there is no sign-in step; a system with one would add it as the first step.
 *
 * Pace: a journey starts every 60 s / journeysPerMinute in a fresh browser context (a new person: no cookies,
 * no cache); at most `contexts` run at once, and a start that finds them all busy is dropped (counted in
 * `dropped`, like k6's dropped_iterations). No journey starts after `durationMs` or beyond `maxJourneys`; one in
 * progress at the end finishes (each step is bounded by `stepTimeoutMs`). Every step is a "read" op in the run's
 * timeline; a step that did not end ok leaves a screenshot in `screenshotDir`.
 */

export const browserLaunchArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"];

export interface BrowserJourneyOptions {
  traffic: string;
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

const latestSelector = '[data-testid="latest-reading"]';

interface StepResult {
  outcome: Outcome;
  cause: string;
  node?: string;
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

  const emit = (step: StepResult, startEpochMs: number) => {
    if (stopping) return;
    result.steps++;
    const op: OpRecord = { traffic: options.traffic, op: "read", startEpochMs, durationMs: Date.now() - startEpochMs, outcome: step.outcome, cause: step.cause };
    if (step.node) op.node = step.node;
    options.onOp(op);
  };

  /** Runs one step; a non-ok end saves a screenshot. Returns whether the journey may go on. */
  const step = async (page: Page, journey: number, name: string, work: () => Promise<StepResult>): Promise<boolean> => {
    const startEpochMs = Date.now();
    let outcome: StepResult;
    try {
      outcome = await work();
    } catch (error) {
      if (stopping) return false;
      outcome = classifyError(name, error);
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
      let allOk = await step(page, n, "open", async () => {
        const response = await page.goto(`${options.baseUrl}/`, { waitUntil: "domcontentloaded", timeout: options.stepTimeoutMs });
        const status = response?.status() ?? 0;
        const node = (await response?.headerValue("x-served-by")) ?? undefined;
        return { outcome: status === 200 ? "ok" : status === 502 || status === 504 ? "unknown" : "fail", cause: `open_http_${status}`, ...(node ? { node } : {}) };
      });
      let firstId = "";
      allOk &&= await step(page, n, "latest", async () => {
        const handle = await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLElement | null)?.dataset.readingId || undefined, latestSelector, {
          timeout: options.stepTimeoutMs,
        });
        firstId = String(await handle.jsonValue());
        return { outcome: "ok", cause: "latest_shown" };
      });
      allOk &&= await step(page, n, "newer", async () => {
        await page.waitForFunction(
          ([selector, first]) => {
            const id = (document.querySelector(selector!) as HTMLElement | null)?.dataset.readingId;
            return id !== undefined && id !== "" && id !== first;
          },
          [latestSelector, firstId] as const,
          { timeout: options.stepTimeoutMs },
        );
        return { outcome: "ok", cause: "newer_shown" };
      });
      if (allOk && !stopping) result.okJourneys++;
    } finally {
      await context.close().catch(() => undefined);
    }
  };

  const done = (async (): Promise<BrowserResult> => {
    await mkdir(options.screenshotDir, { recursive: true });
    const launchStartMs = Date.now();
    try {
      browser = await chromium.launch({ executablePath: options.executablePath, headless: true, args: browserLaunchArgs, timeout: 30_000 });
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
function classifyError(step: string, error: unknown): StepResult {
  const message = errorMessage(error);
  if (error instanceof Error && error.name === "TimeoutError") {
    // The page was there but showed nothing (new): the person saw a stale dashboard, a definite failure.
    // Only a navigation that timed out may still have been served.
    return step === "open" ? { outcome: "unknown", cause: "open_timeout" } : { outcome: "fail", cause: `${step}_timeout` };
  }
  if (/ERR_CONNECTION_REFUSED/.test(message)) return { outcome: "fail", cause: `${step}_refused` };
  if (/ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_CONNECTION_CLOSED/.test(message)) return { outcome: "unknown", cause: `${step}_reset` };
  return { outcome: "unknown", cause: `${step}_error` };
}
