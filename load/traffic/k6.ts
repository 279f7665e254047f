import { z } from "zod";
import { boundedDuration, formatDuration } from "../../core/duration.ts";
import { InputError } from "../../core/errors.ts";
import { HostName, rateSplitProblem } from "../../core/hosts.ts";
import type { OpRecord } from "../../core/history.ts";
import { freePorts } from "../../env/free-port.ts";
import { OWNER_PID_ENV } from "../../env/processes/orphan-load.ts";
import { bundleK6Script } from "../k6-bundle.ts";
import { startK6Container } from "../k6-container.ts";
import { k6Limits, startK6, type K6Handle, type K6Result } from "../k6-process.ts";
import { moduleFile, TrafficTarget, trafficBaseFields } from "./common.ts";
import type { LaunchContext, RunningTraffic, TrafficClassResult, TrafficKind } from "./traffic-kind.ts";

/**
 * A k6 script (TypeScript or JavaScript) that reports its ops with `havoc/k6` (one op line per request: the
 * timeline and the write ledger are fed from them) and reads its settings from __ENV: havoc sets HAVOC_TARGET_URL
 * (the target's 127.0.0.1 port; with `servers`, HAVOC_SERVERS lists them all), HAVOC_DURATION_MS, HAVOC_TIMEOUT_MS,
 * HAVOC_GRACEFUL_STOP_MS, HAVOC_TRAFFIC, HAVOC_RUN_ID, HAVOC_KEY_SECRET and the execution segment, plus `env`.
 * havoc bundles the script with esbuild before k6 runs it, so it may import `havoc/k6`, relative files and npm
 * packages like any module. The reference systems' traffic (devices, people, identity clients) is scripts like this.
 */
export const K6Class = z
  .object({
    script: z.literal("k6"),
    ...trafficBaseFields,
    /** The target, for a script that sends everything to one place. Give this or `servers`. */
    target: TrafficTarget.optional(),
    /**
     * The servers every client holds, in the order it tries them (a design without a load balancer); the script reads
     * them with serverUrls() of `havoc/k6`. Give this or `target`.
     */
    servers: z.array(TrafficTarget).min(1).max(16).optional(),
    /** The script, relative to the scenario file (the loader makes it absolute). */
    file: moduleFile("k6 script"),
    /**
     * Extra __ENV for the script. A value may contain `${secret:NAME}`. Names starting with HAVOC_ (havoc's) or K6_
     * (k6's own configuration, e.g. its usage report) are refused.
     */
    env: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
          .refine((k) => !/^(HAVOC_|K6_)/i.test(k), "names starting with HAVOC_ or K6_ are reserved"),
        z.string(),
      )
      .default({}),
    /** Secret whose value the script gets as HAVOC_KEY_SECRET (to derive API keys or passwords). Default none. */
    keySecret: z.string().optional(),
    /**
     * How long an iteration still running at the end of `duration` may take to finish (k6's gracefulStop, given to
     * the script as HAVOC_GRACEFUL_STOP_MS). Default requestTimeout + 1 s: a request in flight ends by its own timeout.
     */
    gracefulStop: boundedDuration({ maxMs: 600_000 }).optional(),
    /**
     * k6 processes this class is split over (execution segments: process i of N runs segment i/N..(i+1)/N of every
     * executor, so rates, VUs and iterations divide and the ids stay unique). Default 1.
     */
    processes: z.number().int().min(1).max(16).default(1),
    /** Whether the script's reads check the client's own last acknowledged write (op lines with `stale`). Default false. */
    checksReadYourWrites: z.boolean().default(false),
    /**
     * Load generators on chosen hosts, instead of k6 processes on this machine: each is a k6 container (image
     * havoc/k6, the same k6 binary) on its host's engine, on the run's network, running execution segment i/N of the
     * class, so rates, VUs and iteration ids divide exactly between machines; its op lines stream back and merge
     * into the one timeline and ledger, each op naming its generator ("<host>-<i>"). Inside the run's network a
     * generator reaches its targets by node name and container port. Default none (k6 processes, `processes`).
     */
    generators: z.array(z.object({ host: HostName }).strict()).min(1).max(16).optional(),
    /**
     * The arrival rate the script opens, iterations per second for the whole class, when it has one (the trackr
     * helpers set it): with `generators` each gets rate/N, which must be whole. Default unknown (not checked).
     */
    ratePerSecond: z.number().int().positive().max(10_000).optional(),
  })
  .strict()
  .refine((c) => (c.target === undefined) !== (c.servers === undefined), { message: "give a target or a list of servers (one of the two)", path: ["target"] })
  .refine((c) => c.servers === undefined || new Set(c.servers.map((t) => `${t.node}:${t.port}`)).size === c.servers.length, { message: "a server is listed twice", path: ["servers"] })
  .refine((c) => c.generators === undefined || c.processes === 1, { message: "give generators (k6 containers on chosen hosts) or processes (k6 processes here), not both", path: ["generators"] })
  .superRefine((c, ctx) => {
    const problem = c.generators && c.ratePerSecond !== undefined ? rateSplitProblem(c.ratePerSecond, c.generators.length) : undefined;
    if (problem) ctx.addIssue({ code: "custom", path: ["generators"], message: problem });
  });
export type K6Class = z.infer<typeof K6Class>;

/** One k6 process of a class. */
export interface K6Launch {
  /** Distinct per process ("devices" or "devices.p2of3"): names the summary file; op lines keep the class name. */
  label: string;
  scriptPath: string;
  env: Record<string, string>;
  /** Scenario duration and gracefulStop, for startK6's safety net. */
  durationMs: number;
  gracefulStopMs: number;
  /** With `generators`: the generator's name ("<host>-<i>") and host. */
  generator?: { name: string; host: string };
}

/** Run-wide values a class's environment needs besides its own fields. */
export interface K6EnvContext {
  /**
   * The class's servers (or its one target), in list order: http://127.0.0.1:<port>, http://<declared host's
   * address>:<port>, or, for generators inside the run's network, http://<node>:<container port>.
   */
  urls: string[];
  /** Hosts besides loopback the URLs may name (declared hosts' addresses, or node names for generators). Default none. */
  allowedHosts?: readonly string[];
  /** Value of the class's keySecret ("" when it has none). */
  keySecret: string;
  runId: string;
  /** The script as bundled for k6 (load/k6-bundle.ts). */
  bundledScriptPath: string;
  /** Replaces `${secret:NAME}` in the class's env. */
  resolveSecrets?: (env: Record<string, string>) => Record<string, string>;
}

/**
 * Execution segments of N processes: process i runs `i/N:(i+1)/N` of the sequence `0,1/N,...,1` (k6's
 * --execution-segment / --execution-segment-sequence; the scripts set them as options from HAVOC_SEGMENT*).
 * k6 then splits rates, VUs and iterations between the processes and keeps iteration and VU ids disjoint.
 */
export function executionSegments(processes: number): { segment: string; sequence: string }[] {
  if (!Number.isInteger(processes) || processes < 1) throw new InputError(`processes must be a positive integer, got ${processes}`);
  if (processes === 1) return [{ segment: "", sequence: "" }];
  const point = (i: number) => (i === 0 ? "0" : i === processes ? "1" : `${i}/${processes}`);
  const sequence = Array.from({ length: processes + 1 }, (_, i) => point(i)).join(",");
  return Array.from({ length: processes }, (_, i) => ({ segment: `${point(i)}:${point(i + 1)}`, sequence }));
}

function assertLoopback(traffic: string, url: string, allowed: readonly string[] = []): void {
  const host = URL.canParse(url) ? new URL(url).hostname : "";
  if (host !== "127.0.0.1" && host !== "[::1]" && !allowed.includes(host.replace(/^\[|\]$/g, ""))) {
    throw new InputError(
      `traffic ${traffic}: target ${url} is not loopback${allowed.length ? ` nor one of ${allowed.join(", ")}` : ""}`,
      "load goes only to 127.0.0.1 / ::1 ports published by the run's own containers, a declared host's, or the run's own nodes inside its network",
    );
  }
}

/**
 * The k6 processes of one class: the same bundled script and environment, one execution segment each. The bounds
 * and the loopback guard are checked here, the last place that can refuse to start unbounded load.
 */
export function k6Launches(c: K6Class, ctx: K6EnvContext): K6Launch[] {
  if (ctx.urls.length === 0) throw new InputError(`traffic ${c.name}: no target URL`);
  for (const url of ctx.urls) assertLoopback(c.name, url, ctx.allowedHosts);
  if (!Number.isInteger(c.duration) || c.duration < k6Limits.minDurationMs || c.duration > k6Limits.maxDurationMs) {
    throw new InputError(`traffic ${c.name}: duration ${formatDuration(c.duration)} must be from ${formatDuration(k6Limits.minDurationMs)} to ${formatDuration(k6Limits.maxDurationMs)}`);
  }
  for (const key of Object.keys(c.env)) if (/^(HAVOC_|K6_)/i.test(key)) throw new InputError(`traffic ${c.name}: env ${key}: names starting with HAVOC_ or K6_ are reserved`);
  const gracefulStopMs = c.gracefulStop ?? c.requestTimeout + 1_000;
  const env: Record<string, string> = {
    ...(ctx.resolveSecrets ? ctx.resolveSecrets(c.env) : c.env),
    HAVOC_TARGET_URL: ctx.urls[0]!,
    HAVOC_DURATION_MS: String(c.duration),
    HAVOC_TIMEOUT_MS: String(c.requestTimeout),
    HAVOC_GRACEFUL_STOP_MS: String(gracefulStopMs),
    HAVOC_TRAFFIC: c.name,
    HAVOC_RUN_ID: ctx.runId,
    ...(c.servers ? { HAVOC_SERVERS: ctx.urls.join(",") } : {}),
    ...(c.keySecret !== undefined ? { HAVOC_KEY_SECRET: ctx.keySecret } : {}),
    ...(ctx.allowedHosts?.length ? { HAVOC_TARGET_HOSTS: [...new Set(ctx.allowedHosts)].join(",") } : {}),
  };
  const generators = c.generators?.map((g, i) => ({ name: `${g.host}-${i + 1}`, host: g.host }));
  const segments = executionSegments(generators?.length ?? c.processes);
  return segments.map(({ segment, sequence }, i) => ({
    label: generators ? `${c.name}.${generators[i]!.name}` : segments.length === 1 ? c.name : `${c.name}.p${i + 1}of${segments.length}`,
    scriptPath: ctx.bundledScriptPath,
    env: segment === "" ? env : { ...env, HAVOC_SEGMENT: segment, HAVOC_SEGMENT_SEQUENCE: sequence },
    durationMs: c.duration,
    gracefulStopMs,
    ...(generators ? { generator: generators[i]! } : {}),
  }));
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
    ...(parts.some((p) => p.ignoredStop) ? { ignoredStop: true } : {}),
    summaryPath: parts[0]?.summaryPath ?? "",
    ...(bad?.exitedAtEpochMs !== undefined ? { exitedAtEpochMs: bad.exitedAtEpochMs } : {}),
  };
}

/** The class's k6 processes on this machine (`processes`, one execution segment each). */
function startProcesses(c: K6Class, ctx: LaunchContext, bundled: string, classOp: (op: OpRecord) => void): Promise<K6Handle[]> {
  const launches = k6Launches(c, {
    urls: (c.servers ?? [c.target!]).map((t) => ctx.url(t)),
    ...(ctx.targetHosts?.length ? { allowedHosts: ctx.targetHosts } : {}),
    keySecret: c.keySecret === undefined ? "" : ctx.secret(c.keySecret),
    runId: ctx.runId,
    bundledScriptPath: bundled,
    resolveSecrets: ctx.resolveSecrets,
  });
  // Each process gets its own loopback port for k6's REST API (per-second dropped iterations), chosen first.
  return freePorts(launches.length).then((ports) =>
    launches.map((l, i) =>
      startK6({
        k6Path: ctx.k6Path,
        scriptPath: l.scriptPath,
        runDir: ctx.runDir,
        traffic: l.label,
        // The owner pid lets a later sweep stop this k6 if havoc itself is SIGKILLed (env/processes/orphan-load.ts).
        env: { ...l.env, [OWNER_PID_ENV]: String(process.pid) },
        durationMs: l.durationMs,
        gracefulStopMs: l.gracefulStopMs,
        onOp: classOp,
        onLog: (line) => ctx.onLog(l.label, line),
        apiPort: ports[i],
        onDropped: (epochMs, count) => ctx.onDropped(c.name, epochMs, count),
        logger: ctx.log,
      }),
    ),
  );
}

/**
 * The class's generators as k6 containers on their hosts (one execution segment each). Every generator reaches the
 * targets inside the run's network, so all get the same URLs; the sites (engine, image, networks) are resolved
 * before anything starts, so an undeclared host or an unknown target refuses the whole class.
 */
function startGenerators(c: K6Class, ctx: LaunchContext, bundled: string, classOp: (op: OpRecord) => void): Promise<K6Handle[]> {
  const targets = c.servers ?? [c.target!];
  const siteOf = ctx.generatorSite;
  if (!siteOf) throw new InputError(`traffic ${c.name}: this run cannot start load generators on hosts`);
  const sites = new Map(c.generators!.map((g) => [g.host, siteOf(g.host, targets)]));
  const first = sites.get(c.generators![0]!.host)!;
  const launches = k6Launches(c, {
    urls: targets.map((t) => first.url(t)),
    allowedHosts: targets.map((t) => t.node),
    keySecret: c.keySecret === undefined ? "" : ctx.secret(c.keySecret),
    runId: ctx.runId,
    bundledScriptPath: bundled,
    resolveSecrets: ctx.resolveSecrets,
  });
  return Promise.resolve(
    launches.map((l) => {
      const site = sites.get(l.generator!.host)!;
      return startK6Container({
        engine: site.engine,
        image: site.image,
        runId: ctx.runId,
        containerName: site.containerName(l.label),
        networks: site.networks,
        scriptPath: l.scriptPath,
        traffic: c.name,
        generator: l.generator!.name,
        label: l.label,
        runDir: ctx.runDir,
        env: l.env,
        durationMs: l.durationMs,
        gracefulStopMs: l.gracefulStopMs,
        onOp: classOp,
        onLog: (line) => ctx.onLog(l.label, line),
        onDropped: (epochMs, count) => ctx.onDropped(c.name, epochMs, count),
        logger: ctx.log,
      });
    }),
  );
}

function launch(c: K6Class, ctx: LaunchContext): RunningTraffic {
  const bundled = ctx.prepared(c.name);
  if (bundled === undefined) throw new InputError(`traffic ${c.name}: its script ${c.file} was not bundled for k6`);
  // Every process of a class streams under the class's name, so the timeline and ledger merge them.
  const classOp = (op: OpRecord) => {
    op.traffic = c.name;
    ctx.onOp(op);
  };
  const started = c.generators ? startGenerators(c, ctx, bundled, classOp) : startProcesses(c, ctx, bundled, classOp);
  let stopRequested = false;
  const stop = async () => {
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
  return { done, stop };
}

export const k6Kind: TrafficKind<K6Class> = {
  script: "k6",
  schema: K6Class,
  targets: (c) => c.servers ?? [c.target!],
  checksReadYourWrites: (c) => c.checksReadYourWrites,
  files: ["file"],
  prepare: (c, runDir) => bundleK6Script(c.file, `${runDir}/k6`, c.name),
  launch,
};
