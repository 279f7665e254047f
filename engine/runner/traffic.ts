import { join } from "node:path";
import type { RunClock } from "../../core/clock.ts";
import { errorMessage } from "../../core/errors.ts";
import type { OpRecord, TimelineBucket } from "../../core/history.ts";
import type { Logger } from "../../core/log.ts";
import { trafficTargets, type BrowserClass, type K6TrafficClass, type TrafficClass, type TrafficTarget } from "../../core/traffic-spec.ts";
import { chromiumPath } from "../../env/bootstrap/chromium.ts";
import { startBrowserJourneys, type BrowserResult } from "../../load/browser-journey.ts";
import { k6Launches } from "../../load/k6-env.ts";
import { startK6, type K6Result } from "../../load/k6-process.ts";
import { TimelineBuilder } from "../../load/timeline.ts";
import { WriteLedger } from "../../load/write-ledger.ts";
import { OpTraceBuilder } from "../../load/op-trace-builder.ts";
import type { OpTrace } from "../../core/op-trace.ts";
import { OWNER_PID_ENV } from "../../env/processes/orphan-load.ts";
import type { RunSecrets } from "../../env/secrets.ts";
import { freePorts } from "../../env/free-port.ts";
import { assertOwnTarget } from "../../env/target-guard.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";

/** Running counts per class, for the live status line and the steady-state gate. */
export interface ClassTotals {
  requests: number;
  ok: number;
  fail: number;
  unknown: number;
}

/**
 * The end of one traffic class. For a k6 class split over several processes the counts are summed and
 * `exitCode` is the first non-zero one; `processes` keeps each process's own result. For a browser class
 * httpReqs counts steps, iterations journeys and droppedIterations the starts dropped because every context was
 * busy. (Shaped as a K6Result so the runner can treat every class alike.)
 */
export interface TrafficClassResult extends K6Result {
  kind: "k6" | "browser";
  processes: K6Result[];
  browser?: BrowserResult;
}

export interface TrafficRun {
  totals: ReadonlyMap<string, ClassTotals>;
  ledger: WriteLedger;
  /** Every op so far per class, sorted by start (the History's op trace). */
  opTrace(): Record<string, OpTrace>;
  /** Dropped iterations per (class, second since traffic start), for the seconds that had any. */
  droppedBySecond(): { traffic: string; second: number; count: number }[];
  /** Resolves when every k6 process and browser has ended and the timeline is closed. */
  done: Promise<Map<string, TrafficClassResult>>;
  /** Stops every k6 process and browser early (abort). Idempotent. */
  stop(): Promise<void>;
}

export interface StartTrafficOptions {
  classes: readonly TrafficClass[];
  topology: StartedTopology;
  secrets: RunSecrets;
  clock: RunClock;
  runId: string;
  runDir: string;
  ledgerPath: string;
  k6Path: string;
  /** Bundled scripts of `script: "k6"` classes, by class name (load/k6-bundle.ts). */
  k6Bundles?: ReadonlyMap<string, string>;
  /** Chromium for browser classes. Default: Debian's (env/bootstrap/chromium.ts). */
  chromiumPath?: string;
  log: Logger;
  onBucket(bucket: TimelineBucket): void;
  onK6Log(traffic: string, line: string): void;
  /** A class's load generator ended badly (non-zero exit, killed): called at once, not at the end of traffic. */
  onClassFailed?(traffic: string, result: TrafficClassResult): void;
}

interface Running {
  done: Promise<TrafficClassResult>;
  stop(): Promise<void>;
}

/**
 * Starts the run clock, the k6 processes of every k6 class (`processes` each, one execution segment per process)
 * and the browsers of every browser class, streaming all their ops into one timeline and one write ledger.
 */
export function startTraffic(options: StartTrafficOptions): TrafficRun {
  const originEpochMs = options.clock.start();
  const timeline = new TimelineBuilder(originEpochMs, options.onBucket);
  const ledger = new WriteLedger(options.ledgerPath, originEpochMs);
  const totals = new Map(options.classes.map((c) => [c.name, { requests: 0, ok: 0, fail: 0, unknown: 0 }]));
  const trace = new OpTraceBuilder(originEpochMs);
  const onOp = (op: OpRecord) => {
    timeline.add(op);
    ledger.add(op);
    trace.add(op);
    const t = totals.get(op.traffic)!;
    t.requests++;
    t[op.outcome]++;
  };
  // One entry per second that dropped anything: bounded by the run's length, not by the load.
  const dropped = new Map<string, { traffic: string; second: number; count: number }>();
  const onDropped = (traffic: string, epochMs: number, count: number) => {
    const second = Math.floor((epochMs - originEpochMs) / 1000);
    const key = `${traffic}\u0000${second}`;
    const entry = dropped.get(key) ?? { traffic, second, count: 0 };
    entry.count += count;
    dropped.set(key, entry);
  };
  const running: { name: string; run: Running }[] = [];
  const startError: unknown[] = [];
  for (const c of options.classes) {
    try {
      const run = c.script === "browser" ? launchBrowser(c, options, onOp) : launchK6(c, options, onOp, onDropped);
      run.done.then((result) => result.exitCode !== 0 && options.onClassFailed?.(c.name, result), () => undefined);
      running.push({ name: c.name, run });
    } catch (error) {
      // Refused before starting (bounds, loopback guard): stop what already runs, report through done.
      startError.push(error);
      break;
    }
  }
  const ticker = setInterval(() => timeline.advance(Date.now()), 1_000);
  const stop = async () => void (await Promise.all(running.map(({ run }) => run.stop())));
  if (startError.length > 0) void stop();
  const done = (async () => {
    try {
      // allSettled: a class that fails must not close the timeline while the others still stream ops.
      const settled = await Promise.all(running.map(async ({ name, run }) => [name, await run.done.then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }))] as const));
      const failed = settled.find(([, s]) => !s.ok);
      if (startError.length > 0) throw startError[0];
      if (failed && !failed[1].ok) {
        await stop();
        throw failed[1].e;
      }
      return new Map(settled.map(([name, s]) => [name, (s as { r: TrafficClassResult }).r]));
    } finally {
      clearInterval(ticker);
      timeline.finish();
      await ledger.close();
    }
  })();
  done.catch(() => undefined);
  const droppedBySecond = () => [...dropped.values()].sort((a, b) => a.second - b.second || a.traffic.localeCompare(b.traffic));
  return { totals, ledger, droppedBySecond, opTrace: () => trace.encode(), done, stop };
}

/** A target of the class on 127.0.0.1, refused before anything is sent unless this run's containers publish it. */
function ownUrl(c: TrafficClass, target: TrafficTarget, options: StartTrafficOptions): string {
  const url = options.topology.baseUrl(target.node, target.port);
  assertOwnTarget(url, options.topology, `traffic ${c.name}`);
  return url;
}

/** The class's target (the first of its servers for a server-list class). */
function targetUrl(c: TrafficClass, options: StartTrafficOptions): string {
  return ownUrl(c, trafficTargets(c)[0]!, options);
}

function launchK6(c: K6TrafficClass, options: StartTrafficOptions, onOp: (op: OpRecord) => void, onDropped: (traffic: string, epochMs: number, count: number) => void): Running {
  const launches = k6Launches(c, {
    targetUrl: targetUrl(c, options),
    serverUrls: trafficTargets(c).map((target) => ownUrl(c, target, options)),
    deviceKeySecret: c.keySecret === undefined ? "" : options.secrets.get(c.keySecret),
    runId: options.runId,
    ...(c.script === "k6" ? { bundledScriptPath: options.k6Bundles?.get(c.name), resolveSecrets: (env: Record<string, string>) => options.secrets.resolveRecord(env) } : {}),
  });
  // Every process of a class streams under the class's name, so the timeline and ledger merge them.
  const classOp = (op: OpRecord) => {
    op.traffic = c.name;
    onOp(op);
  };
  // Each process gets its own loopback port for k6's REST API (per-second dropped iterations), chosen first.
  const started = freePorts(launches.length).then((ports) =>
    launches.map((launch, i) =>
      startK6({
        k6Path: options.k6Path,
        scriptPath: launch.scriptPath,
        runDir: options.runDir,
        traffic: launch.label,
        // The owner pid lets a later sweep stop this k6 if havoc itself is SIGKILLed (env/processes/orphan-load.ts).
        env: { ...launch.env, [OWNER_PID_ENV]: String(process.pid) },
        durationMs: launch.durationMs,
        gracefulStopMs: launch.gracefulStopMs,
        onOp: classOp,
        onLog: (line) => options.onK6Log(launch.label, line),
        apiPort: ports[i],
        onDropped: (epochMs, count) => onDropped(c.name, epochMs, count),
        logger: options.log,
      }),
    ),
  );
  let stopRequested = false;
  const stopAll = async () => {
    stopRequested = true;
    const handles = await started.catch(() => []);
    await Promise.all(handles.map((h) => h.stop()));
  };
  const done = (async () => {
    const handles = await started;
    // A stop that came while the ports were being chosen still applies to the processes started since.
    if (stopRequested) await Promise.all(handles.map((h) => h.stop()));
    const settled = await Promise.allSettled(handles.map((h) => h.done));
    const rejected = settled.find((s) => s.status === "rejected");
    if (rejected) {
      await Promise.all(handles.map((h) => h.stop()));
      throw rejected.reason;
    }
    return mergeK6Results((settled as PromiseFulfilledResult<K6Result>[]).map((s) => s.value));
  })();
  done.catch(() => undefined);
  return { done, stop: stopAll };
}

/** One class's result from its processes' results (counts summed; null if any process has none). */
export function mergeK6Results(parts: K6Result[]): TrafficClassResult {
  const sum = (key: "httpReqs" | "iterations" | "droppedIterations") => (parts.some((p) => p[key] === null) ? null : parts.reduce((n, p) => n + (p[key] ?? 0), 0));
  const bad = parts.find((p) => p.exitCode !== 0);
  return {
    kind: "k6",
    processes: parts,
    exitCode: bad ? bad.exitCode : 0,
    signal: bad?.signal ?? null,
    httpReqs: sum("httpReqs"),
    iterations: sum("iterations"),
    droppedIterations: sum("droppedIterations"),
    opLines: parts.reduce((n, p) => n + p.opLines, 0),
    badOpLines: parts.reduce((n, p) => n + p.badOpLines, 0),
    requestFailedLines: parts.reduce((n, p) => n + p.requestFailedLines, 0),
    killedBySafetyNet: parts.some((p) => p.killedBySafetyNet),
    summaryPath: parts[0]?.summaryPath ?? "",
    ...(bad?.exitedAtEpochMs !== undefined ? { exitedAtEpochMs: bad.exitedAtEpochMs } : {}),
  };
}

function launchBrowser(c: BrowserClass, options: StartTrafficOptions, onOp: (op: OpRecord) => void): Running {
  const handle = startBrowserJourneys({
    traffic: c.name,
    baseUrl: targetUrl(c, options),
    executablePath: options.chromiumPath ?? chromiumPath(),
    contexts: c.contexts,
    journeysPerMinute: c.journeysPerMinute,
    durationMs: c.duration,
    maxJourneys: c.maxJourneys,
    stepTimeoutMs: c.requestTimeout,
    screenshotDir: join(options.runDir, "screenshots"),
    onOp,
    logger: options.log,
  });
  const done = handle.done.then(
    (browser): TrafficClassResult => ({
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
    }),
    (error: unknown) => {
      options.log.warn(`browser traffic ${c.name} failed: ${errorMessage(error)}`);
      throw error;
    },
  );
  done.catch(() => undefined);
  return { done, stop: handle.stop };
}
