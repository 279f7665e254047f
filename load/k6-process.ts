import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { EnvironmentError, errorMessage } from "../core/errors.ts";
import type { OpRecord } from "../core/history.ts";
import { log as defaultLogger, type Logger } from "../core/log.ts";
import { followFileLines } from "./file-lines.ts";
import { noteLoadChildExited, noteLoadChildStarted } from "./harness-cost.ts";
import { K6OutputReader, pollDroppedIterations, summaryCounts } from "./k6-output.ts";

/**
 * Runs one k6 process for one traffic class and streams its op lines (format 2, see load/k6/lib/op-line-format.ts) to
 * the caller. k6 prints `console.log` through its logger; with `--log-format=raw` the logger writes the message
 * verbatim plus "\n" (k6 internal/cmd/root.go RawFormatter), and `--console-output=<file>` sends the scripts' console
 * to a file of its own (k6's own warnings stay on stderr). The file is read a few times a second (load/file-lines.ts):
 * measured against k6's stderr piped to this process (bench/k6-op-records.ts), reading it costs this process about a
 * tenth of the CPU, and k6 never blocks on a full pipe while this process is busy.
 */

/** Bounds re-checked here because this is the last place that can refuse to start unbounded load. */
export const k6Limits = { maxRatePerSecond: 10_000, minDurationMs: 1_000, maxDurationMs: 24 * 3_600_000, maxVUs: 5_000 };

/** The safety net kills k6 this long after its scenario duration + gracefulStop. */
const safetyMarginMs = 30_000;

export interface K6Options {
  k6Path: string;
  scriptPath: string;
  /** The summary goes to <runDir>/k6-<traffic>-summary.json. */
  runDir: string;
  traffic: string;
  /** Script environment (load/traffic/k6.ts k6Launches()); values are never logged. */
  env: Record<string, string>;
  /** Scenario duration + gracefulStop: the safety net kills k6 30 s after this. */
  durationMs: number;
  gracefulStopMs: number;
  /** SIGTERM -> SIGKILL deadline of stop(). Default 10 s. */
  killAfterMs?: number;
  /** Each parsed op line, with `traffic` set from the options. */
  onOp(op: OpRecord): void;
  /** Every other output line (k6 warnings, errors, malformed op lines). */
  onLog(line: string): void;
  /**
   * Per-second dropped iterations: with `apiPort` set, k6's REST API listens on 127.0.0.1:<apiPort> (a control
   * channel to this child only, never to the system under test) and is polled once a second; each increase is
   * reported at the middle of the interval it happened in. Whatever the polls missed (the last interval) is
   * reported from k6's summary at exit, so the reported counts sum to k6's own dropped_iterations.
   */
  apiPort?: number;
  onDropped?(epochMs: number, count: number): void;
  logger?: Logger;
}

export interface K6Result {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From k6's summary; null when k6 wrote none (crashed or killed). */
  httpReqs: number | null;
  iterations: number | null;
  droppedIterations: number | null;
  /** Op lines parsed and passed to onOp. */
  opLines: number;
  /** Lines that looked like op lines but did not parse (forwarded to onLog). */
  badOpLines: number;
  /** k6's per-request "Request Failed" warnings (counted, not forwarded: the op line has the cause). */
  requestFailedLines: number;
  /** True when the safety net had to stop k6. */
  killedBySafetyNet: boolean;
  /** True when k6 ignored SIGTERM until SIGKILL: hung (stopped, wedged), not a generator that ran and ended. */
  ignoredStop?: boolean;
  summaryPath: string;
  /** When the process exited, epoch ms (a load generator that died early voids the experiment from then). */
  exitedAtEpochMs?: number;
  /** A generator container's name ("<host>-<i>", a k6 class's `generators`); absent for a k6 process here. */
  generator?: string;
}

export interface K6Handle {
  pid: number | undefined;
  /** Resolves when k6 exited and its output is fully read; rejects when k6 could not be started or onOp threw. */
  done: Promise<K6Result>;
  /** SIGTERM (k6 stops gracefully and still writes its summary), SIGKILL after killAfterMs. Idempotent. */
  stop(): Promise<void>;
}

export function startK6(options: K6Options): K6Handle {
  const logger = options.logger ?? defaultLogger;
  const summaryPath = join(options.runDir, `k6-${options.traffic}-summary.json`);
  const consolePath = join(options.runDir, `k6-${options.traffic}-console.txt`);
  // Without an apiPort, --address= turns off k6's REST API (default localhost:6565, which would collide between
  // parallel k6 processes); with one, each process gets its own loopback port for the dropped-iterations poll.
  const address = options.apiPort === undefined ? "--address=" : `--address=127.0.0.1:${options.apiPort}`;
  const args = ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", address, `--summary-export=${summaryPath}`, `--console-output=${consolePath}`, options.scriptPath];
  // A minimal environment: k6 exposes the whole process env to the script, and the usage report would call
  // stats.grafana.org (traffic rule); auto extension resolution could try to download a k6 build.
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    K6_NO_USAGE_REPORT: "true",
    K6_AUTO_EXTENSION_RESOLUTION: "false",
    ...options.env,
  };
  // A stale summary from an earlier attempt must not be read as this run's counts if k6 dies early, and k6 appends to
  // an existing console file.
  rmSync(summaryPath, { force: true });
  rmSync(consolePath, { force: true });
  const startedMs = Date.now();
  logger.info(`starting k6 for traffic ${options.traffic} (${options.scriptPath}, env ${Object.keys(options.env).join(",")})`);
  const child = spawn(options.k6Path, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) noteLoadChildStarted(child.pid, `k6 ${options.traffic}`);

  const reader = new K6OutputReader(options.traffic, options.onOp, options.onLog, () => void stop());
  const streamsClosed = [child.stdout, child.stderr].map((stream) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("line", (line) => reader.k6Line(line));
    return new Promise<void>((resolve) => lines.once("close", resolve));
  });
  const consoleLines = followFileLines(consolePath, (line) => reader.consoleLine(line));

  let exited = false;
  let exitedAtEpochMs: number | undefined;
  let killedBySafetyNet = false;
  let ignoredStop = false;
  let stopping: Promise<void> | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", (error) => {
      exited = true;
      reject(new EnvironmentError(`cannot start k6 at ${options.k6Path}: ${errorMessage(error)}`, "run `havoc setup` to build k6", { cause: error }));
    });
    child.once("exit", (code, signal) => {
      exited = true;
      exitedAtEpochMs = Date.now();
      if (child.pid !== undefined) noteLoadChildExited(child.pid);
      resolve({ code, signal });
    });
  });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        if (!exited) {
          logger.warn(`k6 for traffic ${options.traffic} ignored SIGTERM for ${options.killAfterMs ?? 10_000} ms: SIGKILL`);
          ignoredStop = true;
          child.kill("SIGKILL");
        }
      }, options.killAfterMs ?? 10_000);
      await exit.catch(() => undefined);
    })();
    return stopping;
  };

  const dropped = options.apiPort !== undefined && options.onDropped ? pollDroppedIterations(`http://127.0.0.1:${options.apiPort}`, options.onDropped) : undefined;

  const safetyNetMs = options.durationMs + options.gracefulStopMs + safetyMarginMs;
  const safetyTimer = setTimeout(() => {
    killedBySafetyNet = true;
    logger.warn(`k6 for traffic ${options.traffic} still running ${safetyNetMs} ms after start: stopping it`);
    void stop();
  }, safetyNetMs);

  const done = (async (): Promise<K6Result> => {
    try {
      const { code, signal } = await exit;
      const polledDropped = await dropped?.stop();
      await Promise.all(streamsClosed);
      consoleLines.finish();
      // The ops are in the timeline, ledger and op trace now; at peak load the file grows ~20 MB a minute.
      rmSync(consolePath, { force: true });
      if (reader.callbackError !== undefined) throw reader.callbackError;
      const counts = summaryCounts(await readFile(summaryPath, "utf8").catch(() => undefined));
      const missed = (counts.droppedIterations ?? 0) - (polledDropped ?? 0);
      if (options.onDropped && missed > 0) options.onDropped(Date.now(), missed);
      logger.info(`k6 for traffic ${options.traffic} exited (code ${code}${signal ? `, ${signal}` : ""}) after ${Date.now() - startedMs} ms, ${reader.opLines} op lines`);
      const { opLines, badOpLines, requestFailedLines } = reader;
      return { exitCode: code, signal, ...counts, opLines, badOpLines, requestFailedLines, killedBySafetyNet, ...(ignoredStop ? { ignoredStop } : {}), summaryPath, exitedAtEpochMs };
    } finally {
      clearTimeout(safetyTimer);
      clearTimeout(killTimer);
      consoleLines.finish(); // idempotent: stops the reader when k6 could not start
      void dropped?.stop(); // k6 failed to start: the poll must not outlive it
    }
  })();
  // The caller may only ever call stop(); keep a start failure from becoming an unhandled rejection there.
  done.catch(() => undefined);

  return { pid: child.pid, done, stop };
}
