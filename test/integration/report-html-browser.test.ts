import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { History, TimelineBucket } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { chromiumPath } from "../../env/bootstrap/chromium.ts";
import { buildReport } from "../../judge/build-report.ts";
import { evaluateSlos } from "../../judge/evaluate.ts";
import { describeFault } from "../../judge/slos/window.ts";
import { writeReports } from "../../reports/write-reports.ts";
import { CHROMIUM_ARGS, renderTimelinePng, writeTimelinePng } from "../../engine/runner/timeline-png.ts";

// report.html in a real headless Chromium: the timelines must render, not just be well-formed text.
// Skipped only when Chromium is missing and HAVOC_REQUIRE_TOOLS is unset (CI sets it, so there it fails).
const haveChromium = existsSync(chromiumPath());
const runIt = haveChromium || process.env.HAVOC_REQUIRE_TOOLS ? describe : describe.skip;

function bucket(traffic: string, second: number, ok: number, fail = 0): TimelineBucket {
  return { traffic, second, requests: ok + fail, ok, fail, unknown: 0, causes: { http_201: ok, ...(fail ? { http_503: fail } : {}) }, latency: { "30": ok, "60": fail }, freshnessChecks: 0, staleReads: 0 };
}

function history(): History {
  const timeline: TimelineBucket[] = [];
  for (let s = 0; s < 30; s++) {
    const faulted = s >= 10 && s < 20;
    timeline.push(bucket("devices", s, faulted ? 70 : 100, faulted ? 30 : 0), bucket("users", s, 10));
  }
  return {
    runId: "run-browser",
    scenario: "demo",
    seed: 9,
    trafficStartEpochMs: 1_700_000_000_000,
    trafficEndMs: 30_000,
    timeline,
    faults: [
      { id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 10_000, healedAtMs: 20_000, mechanism: "docker kill SIGKILL", notes: [] },
      { id: "pause-db", kind: "pause", targets: ["db"], injectedAtMs: 24_000, healedAtMs: null, mechanism: "docker pause", notes: [] },
    ],
    containerEvents: [
      { atMs: 10_010, node: "app-2", action: "die", exitCode: 137 },
      { atMs: 19_500, node: "app-2", action: "start" },
    ],
    writes: { devices: { acknowledged: ["a"], unknown: [], failed: [], stored: ["a"] } },
    droppedIterations: {},
    droppedBySecond: [],
  };
}

const scenario = Scenario.parse({
  name: "demo",
  description: "browser rendering check",
  secrets: ["device-key"],
  topology: { nodes: [{ name: "app-2", image: "app", ports: [8080] }, { name: "db", image: "db" }] },
  traffic: [
    { name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app-2", port: 8080 }, duration: "30s" },
    { name: "users", script: "k6", file: "/load/devices.ts", target: { node: "app-2", port: 8080 }, duration: "30s" },
  ],
  faults: [
    { kind: "kill", id: "kill-app-2", target: { names: ["app-2"] }, at: "10s", for: "10s" },
    { kind: "pause", id: "pause-db", target: { names: ["db"] }, at: "24s" },
  ],
  slos: [{ kind: "availability", id: "devices-available", traffic: "devices", atLeastPercent: 99 }],
});

/** PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers at bytes 16 and 20. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const log = createLogger("test", (line) => process.stderr.write(line + "\n"));

const judgedSlos = await evaluateSlos(scenario.slos, history());

runIt("report.html in headless Chromium", () => {
  let dir: string;
  let browser: Browser;
  const h = history();
  const report = buildReport({
    scenario,
    history: h,
    slos: judgedSlos,
    status: "completed",
    reason: null,
    startedAt: new Date(1_700_000_000_000 - 10_000),
    finishedAt: new Date(1_700_000_000_000 + 40_000),
    plan: { seed: 9, faults: [] },
    runId: "run-browser",
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-html-browser-"));
    const written = await writeReports(dir, report, h, log);
    expect(written.failures).toEqual([]);
    const started = Date.now();
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    log.info(`chromium launched in ${Date.now() - started} ms`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir && !process.env.HAVOC_KEEP_TEST_FILES) await rm(dir, { recursive: true, force: true });
  });

  it("draws one timeline per traffic class with one visible, labelled band per fault", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    // Any request leaving file:// would mean the page is not self-contained.
    const external: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) external.push(r.url());
    });
    await page.goto(pathToFileURL(join(dir, "report.html")).href, { waitUntil: "load", timeout: 15_000 });
    expect(await page.locator("svg.timeline").count()).toBe(2);
    for (const traffic of ["devices", "users"]) {
      const svg = page.locator(`svg.timeline[data-traffic="${traffic}"]`);
      expect(await svg.count()).toBe(1);
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(400);
      for (const fault of report.faults) {
        const band = svg.locator(`g.fault-band[data-fault-id="${fault.id}"]`);
        expect(await band.count()).toBe(1);
        const label = band.locator("text");
        expect(await label.textContent()).toBe(describeFault(fault));
        expect(await label.isVisible()).toBe(true);
        // The label lies inside the drawn SVG, not clipped off its edge.
        const labelBox = await label.boundingBox();
        expect(labelBox!.width).toBeGreaterThan(10);
        expect(labelBox!.x).toBeGreaterThanOrEqual(box!.x);
        expect(labelBox!.x + labelBox!.width).toBeLessThanOrEqual(box!.x + box!.width + 1);
        const rect = await band.locator("rect").boundingBox();
        expect(rect!.width).toBeGreaterThan(5);
      }
      expect(await svg.locator("line.container-event").count()).toBe(2);
    }
    const started = Date.now();
    const shot = join(dir, "first-timeline.png");
    await page.locator("svg.timeline").first().screenshot({ path: shot });
    log.info(`screenshot of one svg.timeline in ${Date.now() - started} ms`);
    const bytes = await readFile(shot);
    expect(bytes.length).toBeGreaterThan(10_000);
    // The SVG's 960x300 plus the page's 1 px border (and a line box's rounding).
    const size = pngSize(bytes);
    expect(size.width).toBeGreaterThanOrEqual(960);
    expect(size.width).toBeLessThan(970);
    expect(size.height).toBeGreaterThanOrEqual(300);
    expect(size.height).toBeLessThan(310);
    expect(external).toEqual([]);
    await page.close();
  });

  it("renderTimelinePng stacks every class into timeline.png; writeTimelinePng lists it in report.json", async () => {
    const png = join(dir, "timeline.png");
    const result = await renderTimelinePng(join(dir, "report.html"), png, log);
    expect(result.ok).toBe(true);
    log.info(`renderTimelinePng: launch ${result.launchMs} ms, screenshot ${result.screenshotMs} ms`);
    const size = pngSize(await readFile(png));
    expect(size.width).toBeGreaterThanOrEqual(960);
    expect(size.height).toBeGreaterThanOrEqual(2 * 300);
    expect((await stat(png)).size).toBeGreaterThan(20_000);

    expect((await writeTimelinePng(dir, log)).ok).toBe(true);
    const saved = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as { artifacts: string[] };
    expect(saved.artifacts).toContain("timeline.png");
  });

  it("gives up with a logged reason, never a throw, when there is nothing to draw or no time", async () => {
    const warnings: string[] = [];
    const quiet = createLogger("test", (line) => warnings.push(line));
    const missing = await renderTimelinePng(join(dir, "no-such.html"), join(dir, "x.png"), quiet);
    expect(missing.ok).toBe(false);
    // Nothing to draw is not the harness's failure; a chromium that does not finish in time is (the run is exit 3).
    expect(missing.harnessFailure).toBeUndefined();
    const rushed = await renderTimelinePng(join(dir, "report.html"), join(dir, "y.png"), quiet, 1);
    expect(rushed).toMatchObject({ ok: false, reason: expect.stringMatching(/deadline|timeout|Timeout/), harnessFailure: expect.stringMatching(/^the harness could not draw timeline.png: chromium /) });
    expect(existsSync(join(dir, "y.png"))).toBe(false);
    expect(warnings.filter((w) => w.includes("warning: no timeline.png"))).toHaveLength(2);
  });
});
