import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { EnvironmentError, errorMessage, InputError } from "../core/errors.ts";
import type { OpRecord } from "../core/history.ts";
import { log as defaultLogger, type Logger } from "../core/log.ts";
import { followFileLines } from "./file-lines.ts";
import { noteLoadChildExited, noteLoadChildStarted } from "./harness-cost.ts";
import { looksLikeOpLine, parseOpLine, refusedFormat } from "./op-line-parser.ts";

/**
 * Runs one k6 process for one traffic class and streams its op lines (format 2, see load/k6/lib/op-line-format.ts) to
 * the caller. k6 prints `console.log` through its logger; with `--log-format=raw` the logger writes the message
 * verbatim plus "\n" (k6 internal/cmd/root.go RawFormatter), and `--console-output=<file>` sends the scripts' console
 * to a file of its own (k6's own warnings stay on stderr). The file is read a few times a second (load/file-lines.ts):
 * measured against k6's stderr piped to this process (bench/k6-op-records.ts), reading it costs this process about a
 * tenth of the CPU, and k6 never blocks on a full pipe while this process is busy.
 */

const requestFailedWarning = "Request Failed";

/** k6's --summary-export file (legacy JSON format): metrics[name] holds the values directly. */
const SummaryExport = z.object({
  metrics: z.record(z.string(), z.object({ count: z.number().optional() }).passthrough()),
});

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
  /** Each parsed op line, with `traffic` set from the options (a fresh object: the caller may keep or change it). */
  onOp(op: OpRecord): void;
  /** Every other output line (k6 warnings, errors, the scripts' own console lines, malformed op lines). */
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
  /**
   * Lines that looked like op lines but did not parse (forwarded to onLog). A line of another format version stops
   * k6 at once and rejects `done` instead (the script was bundled with another havoc/k6).
   */
  badOpLines: number;
  /** k6's per-request "Request Failed" warnings (counted, not forwarded: the op line has the cause). */
  requestFailedLines: number;
  /** True when the safety net had to stop k6. */
  killedBySafetyNet: boolean;
  summaryPath: string;
  /** When the process exited, epoch ms (a load generator that died early voids the experiment from then). */
  exitedAtEpochMs?: number;
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

  let opLines = 0;
  let badOpLines = 0;
  let requestFailedLines = 0;
  let callbackError: unknown;
  const failWith = (error: unknown) => {
    if (callbackError !== undefined) return;
    callbackError = error;
    void stop();
  };
  /** k6's own output (stdout, stderr): warnings and errors. */
  const onK6Line = (line: string) => {
    // k6 warns "Request Failed" for every non-HTTP error; the raw format drops its error field and the op line
    // already carries the cause, so only count it (during a fault it would double the output volume).
    if (line === requestFailedWarning) requestFailedLines++;
    else if (line.trim() !== "") options.onLog(line);
  };
  /** The scripts' console: op lines and whatever else a script prints. */
  const onConsoleLine = (line: string) => {
    if (callbackError !== undefined) return; // stopping: nothing more goes to a consumer that failed
    const op = parseOpLine(line, options.traffic);
    if (typeof op !== "string") {
      opLines++;
      try {
        options.onOp(op);
      } catch (error) {
        failWith(error); // stops k6; done rejects with the consumer's error instead of a timer throwing it
      }
      return;
    }
    if (!looksLikeOpLine(line)) {
      if (line.trim() !== "") options.onLog(line);
      return;
    }
    const refused = refusedFormat(line);
    if (refused !== undefined) {
      // Every op of this process would be lost: a run judged on no ops is worse than no run.
      failWith(new InputError(`traffic ${options.traffic}: ${refused}`, `print op lines with printOp()/reportHttp() of the havoc/k6 this havoc bundles; the line was: ${line.slice(0, 200)}`));
      return;
    }
    badOpLines++;
    options.onLog(`unparsable op line (${op}): ${line.slice(0, 300)}`);
  };
  const streamsClosed = [child.stdout, child.stderr].map((stream) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("line", onK6Line);
    return new Promise<void>((resolve) => lines.once("close", resolve));
  });
  const consoleLines = followFileLines(consolePath, onConsoleLine);

  let exited = false;
  let exitedAtEpochMs: number | undefined;
  let killedBySafetyNet = false;
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
          child.kill("SIGKILL");
        }
      }, options.killAfterMs ?? 10_000);
      await exit.catch(() => undefined);
    })();
    return stopping;
  };

  const dropped = options.apiPort !== undefined && options.onDropped ? pollDroppedIterations(options.apiPort, options.onDropped) : undefined;

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
      if (callbackError !== undefined) throw callbackError;
      const counts = await readSummaryCounts(summaryPath);
      const missed = (counts.droppedIterations ?? 0) - (polledDropped ?? 0);
      if (options.onDropped && missed > 0) options.onDropped(Date.now(), missed);
      logger.info(`k6 for traffic ${options.traffic} exited (code ${code}${signal ? `, ${signal}` : ""}) after ${Date.now() - startedMs} ms, ${opLines} op lines`);
      return { exitCode: code, signal, ...counts, opLines, badOpLines, requestFailedLines, killedBySafetyNet, summaryPath, exitedAtEpochMs };
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

async function readSummaryCounts(path: string): Promise<Pick<K6Result, "httpReqs" | "iterations" | "droppedIterations">> {
  let metrics: Record<string, { count?: number | undefined }>;
  try {
    metrics = SummaryExport.parse(JSON.parse(await readFile(path, "utf8"))).metrics;
  } catch {
    return { httpReqs: null, iterations: null, droppedIterations: null };
  }
  // k6 leaves a metric out when it never got a sample, e.g. dropped_iterations in a run that kept up.
  const count = (name: string) => metrics[name]?.count ?? 0;
  return { httpReqs: count("http_reqs"), iterations: count("iterations"), droppedIterations: count("dropped_iterations") };
}

const DroppedMetric = z.object({ data: z.object({ attributes: z.object({ sample: z.object({ count: z.number() }) }) }) });

/**
 * Polls k6's REST API (GET /v1/metrics/dropped_iterations) once a second and reports each increase. A 404 means no
 * iteration was dropped yet; an unanswered poll (k6 starting or busy) is skipped, the next one catches up.
 * stop() ends the polling and resolves with the total reported.
 */
function pollDroppedIterations(apiPort: number, onDropped: (epochMs: number, count: number) => void, intervalMs = 1_000) {
  const url = `http://127.0.0.1:${apiPort}/v1/metrics/dropped_iterations`;
  let reported = 0;
  let inFlight: Promise<void> | undefined;
  const poll = async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(intervalMs - 100) });
      if (!response.ok) return;
      const parsed = DroppedMetric.safeParse(await response.json());
      const count = parsed.success ? parsed.data.data.attributes.sample.count : reported;
      if (count > reported) {
        onDropped(Date.now() - intervalMs / 2, count - reported);
        reported = count;
      }
    } catch {
      // Not listening yet, or already gone: the summary at exit settles the difference.
    }
  };
  const timer = setInterval(() => {
    inFlight ??= poll().finally(() => (inFlight = undefined));
  }, intervalMs);
  return {
    async stop(): Promise<number> {
      clearInterval(timer);
      await inFlight;
      return reported;
    },
  };
}
