import type Dockerode from "dockerode";
import { EnvironmentError } from "../../core/errors.ts";

/**
 * Every Docker engine call the harness makes has a deadline: an engine that fails a call, or never answers it, ends
 * the run as the harness's own error (exit 3) with one line naming the call, never a hang and never a verdict on the
 * system under test. Default 60 s per call (generous: a create, start or remove takes well under 5 s even on a
 * loaded 2-core machine); HAVOC_ENGINE_CALL_TIMEOUT_MS sets another. A streamed call (the events stream, followed
 * logs, an exec's output, attach) is bounded until the engine answers it; what flows afterwards is its caller's.
 */
export const DEFAULT_ENGINE_CALL_DEADLINE_MS = 60_000;

/** The per-call deadline in force: HAVOC_ENGINE_CALL_TIMEOUT_MS, else the default. */
export function engineCallDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HAVOC_ENGINE_CALL_TIMEOUT_MS;
  if (raw === undefined || raw === "") return DEFAULT_ENGINE_CALL_DEADLINE_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) throw new EnvironmentError(`HAVOC_ENGINE_CALL_TIMEOUT_MS=${raw}: expected a positive number of milliseconds`);
  return ms;
}

/** A Docker engine call that failed or did not answer in time: the harness's failure (exit 3), not the system's. */
export class EngineCallError extends EnvironmentError {
  constructor(
    message: string,
    /** The call in words, e.g. "container create". */
    readonly call: string,
    /** The engine's HTTP status, when it answered. */
    readonly statusCode: number | undefined,
    /** True when the engine did not answer within the deadline. */
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, "the Docker engine failed or hung; check it (`docker info`, its log) and run again; `havoc clean` removes anything a run left", options);
  }
}

/** Calls that last as long as their work by nature (builds, image transfers, waiting for an exit): not bounded here. */
const UNBOUNDED = [/^\/build$/, /^\/images\/create$/, /^\/images\/load$/, /^\/images\/get$/, /^\/images\/[^/]+(\/[^/]+)*\/get$/, /^\/containers\/[^/]+\/wait$/];

const NAMES: [string, RegExp, string][] = [
  ["POST", /^\/containers\/create$/, "container create"],
  ["POST", /^\/containers\/[^/]+\/start$/, "container start"],
  ["POST", /^\/containers\/[^/]+\/stop$/, "container stop"],
  ["POST", /^\/containers\/[^/]+\/restart$/, "container restart"],
  ["POST", /^\/containers\/[^/]+\/kill$/, "container kill"],
  ["POST", /^\/containers\/[^/]+\/pause$/, "container pause"],
  ["POST", /^\/containers\/[^/]+\/unpause$/, "container unpause"],
  ["POST", /^\/containers\/[^/]+\/exec$/, "exec create"],
  ["POST", /^\/exec\/[^/]+\/start$/, "exec start"],
  ["GET", /^\/exec\/[^/]+\/json$/, "exec inspect"],
  ["GET", /^\/containers\/json$/, "container list"],
  ["GET", /^\/containers\/[^/]+\/json$/, "container inspect"],
  ["GET", /^\/containers\/[^/]+\/logs$/, "container logs"],
  ["DELETE", /^\/containers\/[^/]+$/, "container remove"],
  ["GET", /^\/events$/, "events stream"],
  ["POST", /^\/networks\/create$/, "network create"],
  ["POST", /^\/networks\/[^/]+\/connect$/, "network connect"],
  ["POST", /^\/networks\/[^/]+\/disconnect$/, "network disconnect"],
  ["GET", /^\/networks$/, "network list"],
  ["DELETE", /^\/networks\/[^/]+$/, "network remove"],
  ["GET", /^\/volumes$/, "volume list"],
  ["DELETE", /^\/volumes\/[^/]+$/, "volume remove"],
  ["GET", /^\/images\/json$/, "image list"],
  ["GET", /^\/images\/.+\/json$/, "image inspect"],
  ["POST", /^\/images\/.+\/tag$/, "image tag"],
  ["DELETE", /^\/images\/.+$/, "image remove"],
  ["GET", /^\/_ping$/, "ping"],
  ["GET", /^\/info$/, "info"],
  ["GET", /^\/version$/, "version"],
];

/** The API path without a version prefix and without the query. */
function bare(path: string): string {
  return (path.split("?")[0] ?? "").replace(/^\/v\d+\.\d+/, "");
}

/** "container create (POST /containers/create)": the call in words, for the one line a failure prints. */
export function describeEngineCall(method: string, path: string): { name: string; described: string } {
  const p = bare(path);
  const name = NAMES.find(([m, re]) => m === method && re.test(p))?.[2] ?? `${method} ${p}`;
  // Ids make the line long and say nothing a reader can use; the container names stay (havoc-<run>-<node>).
  const shown = p.replace(/[0-9a-f]{64}/g, (id) => id.slice(0, 12));
  return { name, described: name === `${method} ${p}` ? name : `${name} (${method} ${shown})` };
}

/** The deadline of one call, ms, or undefined for a call that is not bounded here (UNBOUNDED). */
export function deadlineOf(method: string, path: string, query: Record<string, unknown> | undefined, baseMs: number): number | undefined {
  const p = bare(path);
  if (UNBOUNDED.some((re) => re.test(p))) return undefined;
  // stop and restart wait up to t seconds for the process before killing it: that is the call's own work.
  const t = Number(query?.t);
  if (method === "POST" && /^\/containers\/[^/]+\/(stop|restart)$/.test(p) && Number.isFinite(t) && t > 0) return baseMs + t * 1000;
  return baseMs;
}

/** Answers about an object (gone, in a conflicting state, not modified): the caller's to interpret, worded as they were. */
const OBJECT_ANSWERS = new Set([304, 404, 409]);
/**
 * Docker 20.10 answers `exec start` on a container that died after `exec create` with a 500, not a 409: "container
 * not running - Container <id> is not running: Exited (137) ...". It is an answer about the container (a probe that
 * raced a kill the harness itself made), not the engine failing: a run was voided by it when a probe's exec met a
 * storage-destroy's SIGKILL.
 */
const NOT_RUNNING = /\bis not running\b/;

interface DialOptions {
  path: string;
  method: string;
  options?: Record<string, unknown>;
  abortSignal?: AbortSignal;
}
type Dial = (options: DialOptions, callback: (error: unknown, data: unknown) => void) => void;

/**
 * Puts a deadline on every call `docker` makes (through docker-modem's dial, which every dockerode method uses) and
 * words its failures: a call the engine refuses (5xx), or that fails on the wire, or that gets no answer in time,
 * rejects with an EngineCallError naming the call ("the Docker engine did not answer container create (POST
 * /containers/create) within 60000 ms"). A call past its deadline is aborted: its socket is closed, so nothing of
 * it keeps the process alive. Idempotent.
 */
export function boundEngineCalls<T extends Dockerode>(docker: T, baseMs: number = engineCallDeadlineMs()): T {
  const modem = (docker as unknown as { modem: { dial: Dial; __havocBounded?: boolean } }).modem;
  if (modem.__havocBounded) return docker;
  const dial = modem.dial.bind(modem);
  modem.__havocBounded = true;
  modem.dial = (options, callback) => {
    const method = options.method;
    const { name, described } = describeEngineCall(method, options.path);
    const deadlineMs = deadlineOf(method, options.path, options.options, baseMs);
    const abort = new AbortController();
    const callerSignal = options.abortSignal;
    if (callerSignal) {
      if (callerSignal.aborted) abort.abort(callerSignal.reason);
      else callerSignal.addEventListener("abort", () => abort.abort(callerSignal.reason), { once: true });
    }
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    if (deadlineMs !== undefined) {
      timer = setTimeout(() => {
        if (done) return;
        done = true;
        abort.abort(new Error("engine call deadline"));
        callback(new EngineCallError(`the Docker engine did not answer ${described} within ${deadlineMs} ms`, name, undefined, true), null);
      }, deadlineMs);
      timer.unref?.();
    }
    dial({ ...options, abortSignal: abort.signal }, (error, data) => {
      clearTimeout(timer);
      if (done) {
        // Answered after its deadline: the caller has moved on; a stream that arrived anyway must not linger.
        (data as { destroy?: () => void } | null)?.destroy?.();
        return;
      }
      done = true;
      if (!error) return callback(null, data);
      const status = (error as { statusCode?: number }).statusCode;
      // The caller's own abort, or an answer about an object: as docker-modem worded it.
      if (callerSignal?.aborted || (status !== undefined && (OBJECT_ANSWERS.has(status) || status < 500))) return callback(error, data);
      if (status === 500 && NOT_RUNNING.test(String((error as Error).message ?? ""))) return callback(error, data);
      const cause = String((error as Error).message ?? error).trim().replace(/[0-9a-f]{64}/g, (id) => id.slice(0, 12));
      const wrapped = new EngineCallError(`the Docker engine failed ${described}: ${cause}`, name, status, false, { cause: error });
      Object.assign(wrapped, { json: (error as { json?: unknown }).json });
      callback(wrapped, data);
    });
  };
  return docker;
}

/** The EngineCallError behind `error` (itself or a cause of it), if any. */
export function findEngineCallError(error: unknown): EngineCallError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EngineCallError) return e;
  }
  return undefined;
}
