import { z } from "zod";
import { InputError } from "../core/errors.ts";
import type { OpRecord } from "../core/history.ts";
import { looksLikeOpLine, parseOpLine, refusedFormat } from "./op-line-parser.ts";

/**
 * What a k6 run prints and reports, read the same way whether k6 is a process here (k6-process.ts) or a container on
 * another host (k6-container.ts): op lines, k6's own warnings, its summary export, its REST API's dropped iterations.
 */

const requestFailedWarning = "Request Failed";

/** k6's --summary-export file (legacy JSON format): metrics[name] holds the values directly. */
const SummaryExport = z.object({
  metrics: z.record(z.string(), z.object({ count: z.number().optional() }).passthrough()),
});

export interface K6LineCounts {
  /** Op lines parsed and passed to onOp. */
  opLines: number;
  /** Lines that looked like op lines but did not parse (forwarded to onLog). */
  badOpLines: number;
  /** k6's per-request "Request Failed" warnings (counted, not forwarded: the op line has the cause). */
  requestFailedLines: number;
}

/**
 * Reads k6's output: the scripts' console (op lines, format 2: load/op-line-parser.ts) and k6's own lines (warnings,
 * errors). An op line becomes an OpRecord of `traffic` (and `generator`, when k6 runs as one of a class's
 * generators), anything else goes to onLog. A consumer that throws, or an op line of a format this harness no longer
 * reads, is remembered, not rethrown: it would otherwise surface as an uncaught exception from the stream reader and
 * skip teardown; the caller stops k6 and `done` rejects with it.
 */
export class K6OutputReader implements K6LineCounts {
  opLines = 0;
  badOpLines = 0;
  requestFailedLines = 0;
  callbackError: unknown;

  constructor(
    private readonly traffic: string,
    private readonly onOp: (op: OpRecord) => void,
    private readonly onLog: (line: string) => void,
    /** Called once, on the first consumer error (the caller stops k6). */
    private readonly onCallbackError: () => void,
    private readonly generator?: string,
  ) {}

  /** A line of k6's own output (stdout, stderr). */
  k6Line(line: string): void {
    // k6 warns "Request Failed" for every non-HTTP error; the raw format drops its error field and the op line
    // already carries the cause, so only count it (during a fault it would double the output volume).
    if (line === requestFailedWarning) this.requestFailedLines++;
    else if (line.trim() !== "") this.onLog(line);
  }

  /** A line of the scripts' console: an op line, or whatever else a script prints. */
  consoleLine(line: string): void {
    if (this.callbackError !== undefined) return; // stopping: nothing more goes to a consumer that failed
    const op = parseOpLine(line, this.traffic);
    if (typeof op !== "string") {
      this.opLines++;
      if (this.generator !== undefined) op.generator = this.generator;
      try {
        this.onOp(op);
      } catch (error) {
        this.fail(error);
      }
      return;
    }
    if (!looksLikeOpLine(line)) return this.k6Line(line);
    const refused = refusedFormat(line);
    // Every op of this process would be lost: a run judged on no ops is worse than no run.
    if (refused !== undefined)
      return this.fail(new InputError(`traffic ${this.traffic}: ${refused}`, `print op lines with printOp()/reportHttp() of the havoc/k6 this havoc bundles; the line was: ${line.slice(0, 200)}`));
    this.badOpLines++;
    this.onLog(`unparsable op line (${op}): ${line.slice(0, 300)}`);
  }

  /** One stream carrying both (a generator container's log): op lines are told by their marker. */
  line(line: string): void {
    if (looksLikeOpLine(line)) this.consoleLine(line);
    else this.k6Line(line);
  }

  private fail(error: unknown): void {
    if (this.callbackError !== undefined) return;
    this.callbackError = error;
    this.onCallbackError();
  }
}

export interface SummaryCounts {
  /** From k6's summary; null when k6 wrote none (crashed or killed). */
  httpReqs: number | null;
  iterations: number | null;
  droppedIterations: number | null;
}

/** Counts from the text of k6's --summary-export (undefined or unreadable: k6 wrote none). */
export function summaryCounts(text: string | undefined): SummaryCounts {
  let metrics: Record<string, { count?: number | undefined }>;
  try {
    metrics = SummaryExport.parse(JSON.parse(text ?? "")).metrics;
  } catch {
    return { httpReqs: null, iterations: null, droppedIterations: null };
  }
  // k6 leaves a metric out when it never got a sample, e.g. dropped_iterations in a run that kept up.
  const count = (name: string) => metrics[name]?.count ?? 0;
  return { httpReqs: count("http_reqs"), iterations: count("iterations"), droppedIterations: count("dropped_iterations") };
}

const DroppedMetric = z.object({ data: z.object({ attributes: z.object({ sample: z.object({ count: z.number() }) }) }) });

/**
 * Polls k6's REST API (GET <apiBase>/v1/metrics/dropped_iterations) once a second and reports each increase, at the
 * middle of the interval it happened in. A 404 means no iteration was dropped yet; an unanswered poll (k6 starting
 * or busy) is skipped, the next one catches up. stop() ends the polling and resolves with the total reported.
 */
export function pollDroppedIterations(apiBase: string, onDropped: (epochMs: number, count: number) => void, intervalMs = 1_000): { stop(): Promise<number> } {
  const url = `${apiBase}/v1/metrics/dropped_iterations`;
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
