import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { InputError, errorMessage } from "../../core/errors.ts";
import type { ListAppendClientModule } from "../workload/client.ts";
import { HistoryWriter } from "../workload/history-writer.ts";
import { runListAppend } from "../workload/run-list-append.ts";
import { moduleFile, TrafficTarget, trafficBaseFields } from "./common.ts";
import type { LaunchContext, RunningTraffic, TrafficClassResult, TrafficKind } from "./traffic-kind.ts";

/**
 * A workload whose history a checker reads (Jepsen's model), run in Node by a system's client module talking to the
 * database directly. `list-append` (Elle's design): `concurrency` processes each run one transaction of appends and
 * reads at a time over `activeKeys` rotating keys; every op goes to `<run dir>/history-<name>.ndjson` as it
 * completes (core/workload-op.ts) and, as a read or write op, into the timeline (availability SLOs work).
 */
export const WorkloadClass = z
  .object({
    script: z.literal("workload"),
    ...trafficBaseFields,
    /** The workload. Only list-append for now. */
    workload: z.literal("list-append").default("list-append"),
    /** The database's port the client connects to (through its 127.0.0.1 published port). Give this or `servers`. */
    target: TrafficTarget.optional(),
    /**
     * Several database servers instead of one target: process slot i (of `concurrency`) connects to servers[i mod n]
     * (Jepsen binds each process to one node), and every client is told the whole list (to find a primary itself).
     */
    servers: z.array(TrafficTarget).min(1).max(16).optional(),
    /** The client module (relative to the scenario file): its default export is a ListAppendClientModule. */
    client: moduleFile("client module"),
    /** Passed to the client as is, after `${secret:NAME}` in string values is replaced (isolation level, mode...). */
    clientOptions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Processes (connections) at once. Default 4. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Transactions started per second at most, over all processes. Default 50. */
    ratePerSecond: z.number().positive().max(2_000).default(50),
    /** At most this many transactions in total. Default 100,000 (what the checker handles in seconds). */
    maxOps: z.number().int().positive().max(1_000_000).default(100_000),
    /** Keys in use at once. Default 5. */
    activeKeys: z.number().int().min(1).max(1_000).default(5),
    /** Appends a key gets before a fresh key replaces it. Default 50. */
    maxAppendsPerKey: z.number().int().min(1).max(10_000).default(50),
    /** Micro-ops per transaction, at least. Default 1. */
    minTxnLength: z.number().int().min(1).max(100).default(1),
    /** Micro-ops per transaction, at most. Default 4. */
    maxTxnLength: z.number().int().min(1).max(100).default(4),
    /** Share of micro-ops that are reads, %. Default 50. */
    readPercent: z.number().min(0).max(100).default(50),
    /** Share of appends preceded in their transaction by a read of their key (read-modify-write), %. Default 0. */
    readBeforeAppendPercent: z.number().min(0).max(100).default(0),
    /** Per-transaction timeout: past it the op is info (unknown) and its process is retired. Default 5 s. */
    requestTimeout: DurationMs.default(5_000),
  })
  .strict()
  .refine((c) => (c.target === undefined) !== (c.servers === undefined), { message: "give a target or a list of servers (one of the two)", path: ["target"] })
  .refine((c) => c.servers === undefined || new Set(c.servers.map((t) => `${t.node}:${t.port}`)).size === c.servers.length, { message: "a server is listed twice", path: ["servers"] })
  .refine((c) => c.minTxnLength <= c.maxTxnLength, { message: "minTxnLength must be <= maxTxnLength", path: ["minTxnLength"] });
export type WorkloadClass = z.infer<typeof WorkloadClass>;

/** Where a class's history goes in the run directory. */
export function workloadHistoryPath(runDir: string, traffic: string): string {
  return join(runDir, `history-${traffic}.ndjson`);
}

/** The class's servers in list order (its one target without `servers`). */
function targetsOf(c: WorkloadClass): TrafficTarget[] {
  return c.servers ?? [c.target!];
}

async function loadClient(c: WorkloadClass): Promise<ListAppendClientModule> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(c.client).href)) as { default?: unknown };
  } catch (error) {
    throw new InputError(`traffic ${c.name}: cannot load client ${c.client}: ${errorMessage(error)}`, "fix the client module", { cause: error });
  }
  const client = module.default as Partial<ListAppendClientModule> | undefined;
  if (!client || typeof client.open !== "function") throw new InputError(`traffic ${c.name}: client ${c.client} has no default export with open()`, "export default { open(ctx) { ... } } (a ListAppendClientModule)");
  return client as ListAppendClientModule;
}

function launch(c: WorkloadClass, ctx: LaunchContext): RunningTraffic {
  // Refuses a target that is not the run's own before anything is sent.
  const servers = targetsOf(c).map((t) => {
    const url = new URL(ctx.url(t));
    return { node: t.node, host: url.hostname, port: Number(url.port) };
  });
  const options = Object.fromEntries(Object.entries(c.clientOptions).map(([k, v]) => [k, typeof v === "string" ? ctx.resolveSecrets({ v }).v! : v]));
  let stopHandle: (() => Promise<void>) | undefined;
  let stopRequested = false;
  const done = (async (): Promise<TrafficClassResult> => {
    const module = await loadClient(c);
    const writer = new HistoryWriter(workloadHistoryPath(ctx.runDir, c.name));
    try {
      const run = runListAppend({
        traffic: c.name,
        module,
        servers,
        connection: { options, timeoutMs: c.requestTimeout },
        writer,
        generator: { activeKeys: c.activeKeys, maxAppendsPerKey: c.maxAppendsPerKey, minTxnLength: c.minTxnLength, maxTxnLength: c.maxTxnLength, readPercent: c.readPercent, readBeforeAppendPercent: c.readBeforeAppendPercent },
        concurrency: c.concurrency,
        ratePerSecond: c.ratePerSecond,
        durationMs: c.duration,
        maxOps: c.maxOps,
        timeoutMs: c.requestTimeout,
        originEpochMs: ctx.originEpochMs,
        onOp: ctx.onOp,
        onLog: (line) => ctx.onLog(c.name, line),
      });
      stopHandle = run.stop;
      if (stopRequested) void run.stop();
      const counts = await run.done;
      ctx.log.info(`workload ${c.name}: ${counts.ops} ops (${counts.ok} ok, ${counts.fail} fail, ${counts.info} info), ${counts.retired} processes retired; history in ${writer.path}`);
      return {
        kind: "workload",
        processes: [],
        exitCode: 0,
        signal: null,
        httpReqs: counts.ops,
        iterations: counts.ops,
        droppedIterations: 0,
        opLines: counts.ops,
        badOpLines: 0,
        requestFailedLines: 0,
        killedBySafetyNet: false,
        summaryPath: writer.path,
      };
    } finally {
      writer.close();
    }
  })();
  done.catch(() => undefined);
  const stop = async () => {
    stopRequested = true;
    await stopHandle?.();
  };
  return { done, stop };
}

export const workloadKind: TrafficKind<WorkloadClass> = {
  script: "workload",
  schema: WorkloadClass,
  targets: targetsOf,
  checksReadYourWrites: () => false,
  files: ["client"],
  prepare: async (c) => (await loadClient(c), c.client),
  launch,
};
