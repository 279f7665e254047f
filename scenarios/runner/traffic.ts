import type { RunClock } from "../../core/clock.ts";
import type { OpRecord, TimelineBucket } from "../../core/history.ts";
import type { Logger } from "../../core/log.ts";
import type { TrafficClass } from "../../core/traffic-spec.ts";
import { deviceFleetEnv, deviceFleetScriptPath, gracefulStopMsFor, startK6, type K6Handle, type K6Result } from "../../load/k6-process.ts";
import { TimelineBuilder } from "../../load/timeline.ts";
import { WriteLedger } from "../../load/write-ledger.ts";
import type { RunSecrets } from "../../env/secrets.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";

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
  /** Resolves when every k6 process has exited and the timeline is closed. */
  done: Promise<Map<string, K6Result>>;
  /** Stops every k6 process early (abort). Idempotent. */
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
  log: Logger;
  onBucket(bucket: TimelineBucket): void;
  onK6Log(traffic: string, line: string): void;
}

const scriptPaths: Record<TrafficClass["script"], string> = { "device-fleet": deviceFleetScriptPath };

/** Starts the run clock and one k6 process per traffic class, streaming ops into the timeline and the ledger. */
export function startTraffic(options: StartTrafficOptions): TrafficRun {
  const originEpochMs = options.clock.start();
  const timeline = new TimelineBuilder(originEpochMs, options.onBucket);
  const ledger = new WriteLedger(options.ledgerPath, originEpochMs);
  const totals = new Map(options.classes.map((c) => [c.name, { requests: 0, ok: 0, fail: 0, unknown: 0 }]));
  const onOp = (op: OpRecord) => {
    timeline.add(op);
    ledger.add(op);
    const t = totals.get(op.traffic)!;
    t.requests++;
    t[op.outcome]++;
  };
  const handles = options.classes.map((c) => ({ name: c.name, handle: launch(c, options, onOp) }));
  const ticker = setInterval(() => timeline.advance(Date.now()), 1_000);
  const done = (async () => {
    try {
      const results = await Promise.all(handles.map(async ({ name, handle }) => [name, await handle.done] as const));
      return new Map(results);
    } finally {
      clearInterval(ticker);
      timeline.finish();
      await ledger.close();
    }
  })();
  return { totals, ledger, done, stop: async () => void (await Promise.all(handles.map(({ handle }) => handle.stop()))) };
}

function launch(c: TrafficClass, options: StartTrafficOptions, onOp: (op: OpRecord) => void): K6Handle {
  const env = deviceFleetEnv({
    targetUrl: options.topology.baseUrl(c.target.node, c.target.port),
    ratePerSecond: c.ratePerSecond,
    durationMs: c.duration,
    devices: c.devices,
    deviceKeySecret: options.secrets.get(c.keySecret),
    requestTimeoutMs: c.requestTimeout,
    maxVUs: c.maxVUs,
    traffic: c.name,
    runId: options.runId,
  });
  return startK6({
    k6Path: options.k6Path,
    scriptPath: scriptPaths[c.script],
    runDir: options.runDir,
    traffic: c.name,
    env,
    durationMs: c.duration,
    gracefulStopMs: gracefulStopMsFor(c.requestTimeout),
    onOp,
    onLog: (line) => options.onK6Log(c.name, line),
    logger: options.log,
  });
}
