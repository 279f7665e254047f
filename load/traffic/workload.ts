import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { InputError, errorMessage } from "../../core/errors.ts";
import type { ClosableClient, WorkloadClientModule } from "../workload/client.ts";
import { bankDriver } from "../workload/bank-workload.ts";
import { registerDriver } from "../workload/register-workload.ts";
import { runWorkload, type WorkloadDriver } from "../workload/run-workload.ts";
import { HistoryWriter } from "../workload/history-writer.ts";
import { listAppendDriver } from "../workload/run-list-append.ts";
import { moduleFile, TrafficTarget, trafficBaseFields } from "./common.ts";
import type { LaunchContext, RunningTraffic, TrafficClassResult, TrafficKind } from "./traffic-kind.ts";

/**
 * A workload whose history a checker reads (Jepsen's model), run in Node by a system's client module talking to the
 * database directly. `concurrency` processes each run one op at a time; every op goes to
 * `<run dir>/history-<name>.ndjson` as it completes (core/workload-op.ts) and, as a read or write op, into the
 * timeline (availability SLOs work). The kinds (`workload`):
 * - `list-append` (Elle's design): transactions of appends and reads over `activeKeys` rotating keys; checked by
 *   the `consistency` SLO. The client module is a ListAppendClientModule.
 * - `register` (Jepsen's cas-register): read / write / compare-and-set over `activeKeys` rotating keys, unique
 *   written values per key; checked by the `linearizable` SLO. A RegisterClientModule.
 * - `bank`: transfers between `accounts` accounts that open with `initialBalance` each, and reads of every
 *   balance; checked by the `bank` SLO (the total never changes). A BankClientModule.
 * Fields of one kind are refused on another (the message names the field and the kinds it belongs to).
 */
export const WorkloadKindName = z.enum(["list-append", "register", "bank"]);
export type WorkloadKindName = z.infer<typeof WorkloadKindName>;

/** Which workload kinds each kind-specific field applies to, and its default per kind. */
const kindFields = {
  activeKeys: { "list-append": 5, register: 3 },
  maxAppendsPerKey: { "list-append": 50 },
  minTxnLength: { "list-append": 1 },
  maxTxnLength: { "list-append": 4 },
  readPercent: { "list-append": 50, register: 40, bank: 50 },
  readBeforeAppendPercent: { "list-append": 0 },
  maxOpsPerKey: { register: 200 },
  casPercent: { register: 40 },
  accounts: { bank: 5 },
  initialBalance: { bank: 20 },
  maxTransfer: { bank: 5 },
} as const satisfies Record<string, Partial<Record<WorkloadKindName, number>>>;
type KindField = keyof typeof kindFields;

export const WorkloadClass = z
  .object({
    script: z.literal("workload"),
    ...trafficBaseFields,
    /** The workload: "list-append" (default), "register" or "bank". */
    workload: WorkloadKindName.default("list-append"),
    /** The database's port the client connects to (through its 127.0.0.1 published port). Give this or `servers`. */
    target: TrafficTarget.optional(),
    /**
     * Several database servers instead of one target: process slot i (of `concurrency`) connects to servers[i mod n]
     * (Jepsen binds each process to one node), and every client is told the whole list (to find a primary itself).
     */
    servers: z.array(TrafficTarget).min(1).max(16).optional(),
    /** The client module (relative to the scenario file): its default export is the workload's client module (load/workload/client.ts). */
    client: moduleFile("client module"),
    /** Passed to the client as is, after `${secret:NAME}` in string values is replaced (isolation level, mode...). */
    clientOptions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Processes (connections) at once. Default 4. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Ops (transactions) started per second at most, over all processes. Default 50. */
    ratePerSecond: z.number().positive().max(2_000).default(50),
    /** At most this many ops in total. Default 100,000 (what the checkers handle in seconds). */
    maxOps: z.number().int().positive().max(1_000_000).default(100_000),
    /** list-append, register: keys in use at once. Default 5 (list-append), 3 (register). */
    activeKeys: z.number().int().min(1).max(1_000).optional(),
    /** list-append: appends a key gets before a fresh key replaces it. Default 50. */
    maxAppendsPerKey: z.number().int().min(1).max(10_000).optional(),
    /** list-append: micro-ops per transaction, at least. Default 1. */
    minTxnLength: z.number().int().min(1).max(100).optional(),
    /** list-append: micro-ops per transaction, at most. Default 4. */
    maxTxnLength: z.number().int().min(1).max(100).optional(),
    /** Share of reads, %: micro-ops (list-append, default 50), ops (register, default 40; bank, default 50). */
    readPercent: z.number().min(0).max(100).optional(),
    /** list-append: share of appends preceded in their transaction by a read of their key (read-modify-write), %. Default 0. */
    readBeforeAppendPercent: z.number().min(0).max(100).optional(),
    /** register: ops a key gets before a fresh key replaces it (bounds each key's linearizability search). Default 200. */
    maxOpsPerKey: z.number().int().min(1).max(100_000).optional(),
    /** register: share of compare-and-sets, %; the rest after reads are writes. Default 40. */
    casPercent: z.number().min(0).max(100).optional(),
    /** bank: accounts, numbered 0 to accounts - 1. Default 5. */
    accounts: z.number().int().min(2).max(1_000).optional(),
    /** bank: what each account holds before the first transfer; the total (accounts x initialBalance) never changes. Default 20. */
    initialBalance: z.number().int().min(0).max(1_000_000_000).optional(),
    /** bank: largest amount one transfer moves. Default 5. */
    maxTransfer: z.number().int().min(1).max(1_000_000).optional(),
    /** Per-op timeout: past it the op is info (unknown) and its process is retired. Default 5 s. */
    requestTimeout: DurationMs.default(5_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.target === undefined) === (c.servers === undefined)) ctx.addIssue({ code: "custom", path: ["target"], message: "give a target or a list of servers (one of the two)" });
    if (c.servers !== undefined && new Set(c.servers.map((t) => `${t.node}:${t.port}`)).size !== c.servers.length) ctx.addIssue({ code: "custom", path: ["servers"], message: "a server is listed twice" });
    for (const field of Object.keys(kindFields) as KindField[]) {
      const kinds = kindFields[field] as Partial<Record<WorkloadKindName, number>>;
      if (c[field] !== undefined && kinds[c.workload] === undefined)
        ctx.addIssue({ code: "custom", path: [field], message: `${field} applies to workload ${Object.keys(kinds).join(" and ")}, not ${c.workload}` });
    }
    const s = workloadSettings(c);
    if (c.workload === "list-append" && s.minTxnLength > s.maxTxnLength) ctx.addIssue({ code: "custom", path: ["minTxnLength"], message: "minTxnLength must be <= maxTxnLength" });
    if (c.workload === "register" && s.readPercent + s.casPercent > 100) ctx.addIssue({ code: "custom", path: ["casPercent"], message: `readPercent + casPercent must be at most 100 (got ${s.readPercent} + ${s.casPercent})` });
  });
export type WorkloadClass = z.infer<typeof WorkloadClass>;

/** A class's kind-specific fields with the defaults of its workload kind filled in. */
export function workloadSettings(c: Pick<WorkloadClass, "workload" | KindField>): Record<KindField, number> {
  const out = {} as Record<KindField, number>;
  for (const field of Object.keys(kindFields) as KindField[]) out[field] = c[field] ?? (kindFields[field] as Partial<Record<WorkloadKindName, number>>)[c.workload] ?? 0;
  return out;
}

/** A bank class's accounts (0..n-1) and the total they hold, for the bank SLO. */
export function bankOf(c: Pick<WorkloadClass, "workload" | KindField>): { accounts: number[]; initialBalance: number; initialTotal: number } {
  const s = workloadSettings(c);
  const accounts = Array.from({ length: s.accounts }, (_, i) => i);
  return { accounts, initialBalance: s.initialBalance, initialTotal: s.accounts * s.initialBalance };
}

/** Where a class's history goes in the run directory. */
export function workloadHistoryPath(runDir: string, traffic: string): string {
  return join(runDir, `history-${traffic}.ndjson`);
}

/** The class's servers in list order (its one target without `servers`). */
function targetsOf(c: WorkloadClass): TrafficTarget[] {
  return c.servers ?? [c.target!];
}

/** The client interface each workload kind's module exports (load/workload/client.ts). */
const clientInterface: Record<WorkloadKindName, string> = { "list-append": "ListAppendClientModule", register: "RegisterClientModule", bank: "BankClientModule" };

async function loadClient(c: WorkloadClass): Promise<WorkloadClientModule<ClosableClient>> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(c.client).href)) as { default?: unknown };
  } catch (error) {
    throw new InputError(`traffic ${c.name}: cannot load client ${c.client}: ${errorMessage(error)}`, "fix the client module", { cause: error });
  }
  const client = module.default as Partial<WorkloadClientModule<ClosableClient>> | undefined;
  if (!client || typeof client.open !== "function") throw new InputError(`traffic ${c.name}: client ${c.client} has no default export with open()`, `export default { open(ctx) { ... } } (a ${clientInterface[c.workload]})`);
  return client as WorkloadClientModule<ClosableClient>;
}

/** The op generator of the class's workload kind; the client module is taken to implement that kind's interface. */
function driverOf(c: WorkloadClass): WorkloadDriver<never> {
  const s = workloadSettings(c);
  switch (c.workload) {
    case "list-append":
      return listAppendDriver({ activeKeys: s.activeKeys, maxAppendsPerKey: s.maxAppendsPerKey, minTxnLength: s.minTxnLength, maxTxnLength: s.maxTxnLength, readPercent: s.readPercent, readBeforeAppendPercent: s.readBeforeAppendPercent }) as WorkloadDriver<never>;
    case "register":
      return registerDriver({ activeKeys: s.activeKeys, maxOpsPerKey: s.maxOpsPerKey, readPercent: s.readPercent, casPercent: s.casPercent }) as WorkloadDriver<never>;
    case "bank":
      return bankDriver({ accounts: bankOf(c).accounts, maxTransfer: s.maxTransfer, readPercent: s.readPercent }) as WorkloadDriver<never>;
  }
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
      const bank = c.workload === "bank" ? { bank: { accounts: bankOf(c).accounts, initialBalance: workloadSettings(c).initialBalance } } : {};
      const run = runWorkload<never>({
        traffic: c.name,
        module: module as WorkloadClientModule<never>,
        servers,
        connection: { options, timeoutMs: c.requestTimeout, ...bank },
        writer,
        driver: driverOf(c),
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
