import type { RunClock } from "../core/clock.ts";
import type { OpRecord, TimelineBucket } from "../core/history.ts";
import type { Logger } from "../core/log.ts";
import type { OpTrace } from "../core/op-trace.ts";
import type { RunSecrets } from "../env/secrets.ts";
import { assertOwnNodeTarget, assertOwnTarget } from "../env/target-guard.ts";
import type { StartedTopology } from "../env/topology/started-topology.ts";
import { OpTraceBuilder } from "./op-trace-builder.ts";
import { TimelineBuilder } from "./timeline.ts";
import type { TrafficTarget } from "./traffic/common.ts";
import { trafficKind, type TrafficClass } from "./traffic/registry.ts";
import type { LaunchContext, RunningTraffic, TrafficClassResult } from "./traffic/traffic-kind.ts";
import { WriteLedger } from "./write-ledger.ts";

export type { TrafficClassResult } from "./traffic/traffic-kind.ts";

/** Running counts per class, for the live status line and the steady-state gate. */
export interface ClassTotals {
  requests: number;
  ok: number;
  fail: number;
  unknown: number;
}

export interface TrafficRun {
  totals: ReadonlyMap<string, ClassTotals>;
  ledger: WriteLedger;
  /** Every op so far per class, sorted by start (the History's op trace). */
  opTrace(): Record<string, OpTrace>;
  /** Dropped iterations per (class, second since traffic start), for the seconds that had any. */
  droppedBySecond(): { traffic: string; second: number; count: number }[];
  /** Resolves when every class's load generators have ended and the timeline is closed. */
  done: Promise<Map<string, TrafficClassResult>>;
  /** Stops every class early (abort). Idempotent. */
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
  chromiumPath: string;
  /** What prepareTraffic made, by class name. */
  prepared: ReadonlyMap<string, string>;
  log: Logger;
  onBucket(bucket: TimelineBucket): void;
  onK6Log(traffic: string, line: string): void;
  /** A class's load generator ended badly (non-zero exit, killed): called at once, not at the end of traffic. */
  onClassFailed?(traffic: string, result: TrafficClassResult): void;
  /** Writing the ledger failed (the run directory full or unwritable): the harness's failure, not the system's. */
  onWriteFailed?(error: Error): void;
  /** The k6 image's reference on a host's engine, for load generators there (default its tag, as on this machine). */
  generatorImage?(host: string): string;
}

/** The k6 image load generators run (env/images/k6). */
export const K6_IMAGE = "havoc/k6:dev";

/**
 * Each class's work before anything starts (bundling k6 scripts, loading journey modules), by class name. An error
 * here is bad input (exit 2), refused before the topology starts.
 */
export async function prepareTraffic(classes: readonly TrafficClass[], runDir: string): Promise<Map<string, string>> {
  const prepared = new Map<string, string>();
  for (const c of classes) {
    const kind = trafficKind(c);
    if (kind.prepare) prepared.set(c.name, await kind.prepare(c, runDir));
  }
  return prepared;
}

/**
 * Starts the run clock and every class (each by its kind), streaming all their ops into one timeline and one write
 * ledger.
 */
export function startTraffic(options: StartTrafficOptions): TrafficRun {
  const originEpochMs = options.clock.start();
  const timeline = new TimelineBuilder(originEpochMs, options.onBucket);
  const ledger = new WriteLedger(options.ledgerPath, originEpochMs, options.onWriteFailed);
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
  const ctx: LaunchContext = {
    url: (target: TrafficTarget) => {
      const url = options.topology.baseUrl(target.node, target.port);
      assertOwnTarget(url, options.topology, `traffic to ${target.node}:${target.port}`);
      return url;
    },
    secret: (name) => options.secrets.get(name),
    resolveSecrets: (env) => options.secrets.resolveRecord(env),
    runId: options.runId,
    runDir: options.runDir,
    originEpochMs,
    k6Path: options.k6Path,
    chromiumPath: options.chromiumPath,
    prepared: (name) => options.prepared.get(name),
    log: options.log,
    onOp,
    onDropped,
    onLog: options.onK6Log,
    targetHosts: [...(options.topology.remoteEndpoints?.().keys() ?? [])],
    generatorSite: (host, targets) => {
      const topology = options.topology;
      for (const t of targets) assertOwnNodeTarget(t.node, t.port, topology, `traffic to ${t.node}:${t.port}`);
      return {
        engine: topology.engines.get(host),
        image: options.generatorImage?.(host) ?? K6_IMAGE,
        networks: topology.networksReaching(targets.map((t) => t.node)),
        url: (t) => assertOwnNodeTarget(t.node, t.port, topology, `traffic to ${t.node}:${t.port}`),
        containerName: (label) => `havoc-${options.runId}-k6-${label.replace(/[^a-zA-Z0-9_.-]/g, "_")}`,
      };
    },
  };
  const running: { name: string; run: RunningTraffic }[] = [];
  const startError: unknown[] = [];
  for (const c of options.classes) {
    try {
      const run = trafficKind(c).launch(c, ctx);
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
