import { existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { ioFailureMessage } from "../../core/io-failure.ts";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { chromiumPath } from "../../env/bootstrap/chromium.ts";
import { rewriteReportJson } from "../../reports/write-reports.ts";

/**
 * timeline.png: the report's timelines as an image, for places that show pictures but not HTML (chat, PR
 * comments). Lives in the runner because reports/ never starts processes. Best effort: every failure is logged
 * and swallowed, a PNG is never worth failing or hanging a run for.
 */

export const TIMELINE_PNG = "timeline.png";
/** Launch + load + screenshot normally take a few seconds; beyond this something is wedged. */
export const PNG_DEADLINE_MS = 30_000;
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"];

export interface TimelinePngResult {
  ok: boolean;
  /** Why no PNG was written, when ok is false. */
  reason?: string;
  /**
   * The harness failed (chromium missing, crashed or wedged, the file not writable): the run is an error, exit 3.
   * Unset when there was simply no timeline to draw.
   */
  harnessFailure?: string;
  launchMs?: number;
  screenshotMs?: number;
}

/**
 * Opens report.html (file:// URL; the page has no external references and its CSP forbids any) in headless
 * Chromium and screenshots the timelines: the #timelines section (every class stacked, with captions), or the
 * first svg.timeline when that section is missing. No svg.timeline (rendered without a History): no PNG.
 * Never throws; bounded by `deadlineMs`, after which the browser is closed (killed) whatever it is doing.
 */
export async function renderTimelinePng(htmlPath: string, pngPath: string, log: Logger, deadlineMs = PNG_DEADLINE_MS): Promise<TimelinePngResult> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) return failed(log, `chromium not found at ${executablePath} (run \`havoc setup\`)`, `the harness could not draw ${TIMELINE_PNG}: chromium not found at ${executablePath} (run \`havoc setup\`)`);
  if (!existsSync(htmlPath)) return skipped(log, `${htmlPath} does not exist (did the html reporter fail?)`);
  const startedMs = Date.now();
  const deadline = startedMs + deadlineMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  // The launch promise, not the browser: a launch still pending at the deadline must be closed when it lands.
  let launching: Promise<Browser> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline of ${deadlineMs} ms passed`)), deadlineMs);
  });
  const work = async (): Promise<TimelinePngResult> => {
    log.info(`starting chromium for ${TIMELINE_PNG}`);
    const launchStart = Date.now();
    // Signals are havoc's to handle: Playwright's own SIGINT handler would exit the process (130) mid-report.
    launching = chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: remaining(), handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    const browser = await launching;
    const launchMs = Date.now() - launchStart;
    log.info(`started chromium in ${launchMs} ms`);
    // Just wide enough for the 960 px SVGs plus the page's 2rem margins, so the PNG has no empty right side;
    // scale 1 keeps it small (~40 kB for two classes).
    const page = await browser.newPage({ viewport: { width: 1040, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load", timeout: remaining() });
    if ((await page.locator("svg.timeline").count()) === 0) return skipped(log, `${htmlPath} has no svg.timeline (rendered without history)`);
    const section = page.locator("section#timelines").filter({ has: page.locator("svg.timeline") });
    const target = (await section.count()) > 0 ? section.first() : page.locator("svg.timeline").first();
    const shotStart = Date.now();
    const png = await target.screenshot({ type: "png", animations: "disabled", timeout: remaining() });
    const screenshotMs = Date.now() - shotStart;
    // Written, then renamed: a run killed here leaves no half PNG.
    try {
      await writeFile(`${pngPath}.tmp`, png);
      await rename(`${pngPath}.tmp`, pngPath);
    } catch (error) {
      return failed(log, errorMessage(error), ioFailureMessage("write", pngPath, error));
    }
    log.info(`wrote ${pngPath} (${png.length} bytes): chromium start ${launchMs} ms, screenshot ${screenshotMs} ms, ${Date.now() - startedMs} ms in all`);
    return { ok: true, launchMs, screenshotMs };
  };
  try {
    return await Promise.race([work(), expired]);
  } catch (error) {
    return failed(log, errorMessage(error), `the harness could not draw ${TIMELINE_PNG}: chromium ${errorMessage(error).split("\n")[0]}`);
  } finally {
    clearTimeout(timer);
    // close() also ends a browser stuck mid-screenshot; one still launching is closed once it is up (launch has
    // its own timeout, so that wait is bounded too). A close error changes nothing for the run.
    const closing = launching?.then((b) => b.close()).catch(() => undefined);
    if (closing) await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }
}

function skipped(log: Logger, reason: string): TimelinePngResult {
  log.warn(`no ${TIMELINE_PNG}: ${reason}`);
  return { ok: false, reason };
}

function failed(log: Logger, reason: string, harnessFailure: string): TimelinePngResult {
  return { ...skipped(log, reason), harnessFailure };
}

/**
 * For the runner, after writeReports: report.html -> timeline.png in the run directory, then timeline.png is
 * added to report.json's artifacts (which writeReports wrote without it). Never throws.
 */
export async function writeTimelinePng(runDir: string, log: Logger): Promise<TimelinePngResult> {
  const result = await renderTimelinePng(join(runDir, "report.html"), join(runDir, TIMELINE_PNG), log);
  if (result.ok) await listArtifact(runDir, TIMELINE_PNG, log);
  return result;
}

/** Adds a file to report.json's artifacts (validated, then written and renamed, like writeReports does). */
async function listArtifact(runDir: string, file: string, log: Logger): Promise<void> {
  await rewriteReportJson(runDir, (saved) => (saved.artifacts.includes(file) ? saved : { ...saved, artifacts: [...saved.artifacts, file] })).catch((error: unknown) =>
    log.warn(`could not list ${file} in ${join(runDir, "report.json")}: ${errorMessage(error)}`),
  );
}
