import type { OpRecord } from "../../core/history.ts";
import type { ListAppendMop, OpType } from "../../core/workload-op.ts";
import type { ListAppendClient, ListAppendClientModule, TxnOutcome, WorkloadClientContext, WorkloadServer } from "./client.ts";
import type { HistoryWriter } from "./history-writer.ts";
import { ListAppendGenerator, type ListAppendGeneratorOptions } from "./list-append-generator.ts";

export interface ListAppendRunOptions {
  traffic: string;
  module: ListAppendClientModule;
  /** Context of every connection but its process number and server. */
  connection: Omit<WorkloadClientContext, "process" | "host" | "port" | "node" | "servers">;
  /** The class's servers: process slot i connects to servers[i mod n]. At least one. */
  servers: readonly WorkloadServer[];
  writer: HistoryWriter;
  generator: ListAppendGeneratorOptions;
  /** Processes at once (Jepsen's concurrency). */
  concurrency: number;
  /** Transactions started per second at most, over all processes. */
  ratePerSecond: number;
  durationMs: number;
  maxOps: number;
  /** Per-transaction timeout (info after it). */
  timeoutMs: number;
  /** The run clock's origin: invokeMs and completeMs count from it. */
  originEpochMs: number;
  now?: () => number;
  onOp?(op: OpRecord): void;
  onLog?(line: string): void;
}

export interface ListAppendRunResult {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Processes retired after an unknown outcome (each replaced by a new one). */
  retired: number;
}

export interface ListAppendRun {
  done: Promise<ListAppendRunResult>;
  /** Stops at once: transactions still in flight are written as info with completeMs null. Idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Runs `concurrency` processes, each one transaction at a time, for `durationMs` or `maxOps` transactions. Each op is
 * written when it completes; after a timeout or an unknown outcome the process's connection is dropped and a new
 * process number takes its place (Jepsen: a process with an op of unknown outcome may still have it in flight).
 */
export function runListAppend(options: ListAppendRunOptions): ListAppendRun {
  const now = options.now ?? Date.now;
  const runMs = () => now() - options.originEpochMs;
  const generator = new ListAppendGenerator(options.generator);
  const counts: ListAppendRunResult = { ops: 0, ok: 0, fail: 0, info: 0, retired: 0 };
  const startedAt = now();
  const deadline = startedAt + options.durationMs;
  const intervalMs = (1_000 * options.concurrency) / options.ratePerSecond;
  let started = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  const inFlight = new Map<number, { mops: ListAppendMop[]; invokeMs: number; startEpochMs: number }>();
  let nextProcess = options.concurrency;

  const record = (process: number, mops: ListAppendMop[], invokeMs: number, startEpochMs: number, outcome: TxnOutcome | { type: "info"; cause: string; error: string; unfinished: true }) => {
    const unfinished = "unfinished" in outcome;
    const completeMs = unfinished ? null : Math.max(invokeMs, runMs());
    const type: OpType = outcome.type;
    const value = outcome.type === "ok" ? outcome.value : mops;
    options.writer.write({
      process,
      f: "txn",
      type,
      invokeMs,
      completeMs,
      value,
      ...(outcome.type === "ok" && outcome.node ? { node: outcome.node } : {}),
      ...(outcome.type !== "ok" ? { error: outcome.error.slice(0, 300) } : {}),
    });
    counts.ops++;
    counts[type]++;
    options.onOp?.({
      traffic: options.traffic,
      op: mops.some((m) => m[0] === "append") ? "write" : "read",
      startEpochMs,
      durationMs: (completeMs ?? runMs()) - invokeMs,
      outcome: type === "info" ? "unknown" : type,
      cause: outcome.type === "ok" ? "ok" : outcome.cause,
    });
  };

  if (options.servers.length === 0) throw new RangeError(`workload ${options.traffic}: no servers`);
  /** The context of a process in slot `slot`: bound to servers[slot mod n], told every server. */
  const contextOf = (slot: number, process: number): WorkloadClientContext => {
    const server = options.servers[slot % options.servers.length]!;
    return { ...options.connection, process, host: server.host, port: server.port, node: server.node, servers: options.servers };
  };

  const open = async (slot: number, process: number): Promise<ListAppendClient | undefined> => {
    while (!stopped && now() < deadline) {
      try {
        return await withTimeout(options.module.open(contextOf(slot, process)), options.timeoutMs, "open");
      } catch (error) {
        options.onLog?.(`process ${process}: cannot connect: ${(error as Error).message}`);
        await Promise.race([sleep(250), stopSignal]);
      }
    }
    return undefined;
  };

  const loop = async (slot: number) => {
    let process = slot;
    let client = await open(slot, process);
    let nextStart = now();
    while (client && !stopped && now() < deadline && started < options.maxOps) {
      await Promise.race([sleep(nextStart - now()), stopSignal]);
      if (stopped || now() >= deadline) break;
      nextStart = Math.max(nextStart + intervalMs, now());
      started++;
      const mops = generator.next();
      const startEpochMs = now();
      const invokeMs = startEpochMs - options.originEpochMs;
      inFlight.set(process, { mops, invokeMs, startEpochMs });
      let outcome: TxnOutcome;
      try {
        outcome = await withTimeout(client.txn(mops), options.timeoutMs, "txn");
      } catch (error) {
        const timedOut = error instanceof TimeoutError;
        outcome = { type: "info", cause: timedOut ? "timeout" : "client-error", error: (error as Error).message };
      }
      if (!inFlight.delete(process)) break; // stop() already wrote it as unfinished
      record(process, mops, invokeMs, startEpochMs, outcome);
      if (outcome.type === "info") {
        // The transaction may still commit: this process is done; a new one takes over on a new connection.
        void client.close().catch(() => undefined);
        counts.retired++;
        process = nextProcess++;
        client = await open(slot, process);
      } else if (outcome.type === "fail" && outcome.reconnect) {
        // Definitely not committed, but the connection is gone: same process, new connection.
        void client.close().catch(() => undefined);
        client = await open(slot, process);
      }
    }
    if (client) await client.close().catch(() => undefined);
  };

  const done = (async () => {
    if (options.module.setup) {
      for (;;) {
        try {
          await withTimeout(options.module.setup(contextOf(0, -1)), Math.max(options.timeoutMs, 5_000), "setup");
          break;
        } catch (error) {
          if (stopped || now() >= deadline) throw new Error(`workload ${options.traffic}: client setup never succeeded: ${(error as Error).message}`);
          options.onLog?.(`setup failed, retrying: ${(error as Error).message}`);
          await Promise.race([sleep(500), stopSignal]);
        }
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, (_, p) => loop(p)));
    return counts;
  })();
  done.catch(() => undefined);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    wake?.();
    for (const [process, op] of inFlight) record(process, op.mops, op.invokeMs, op.startEpochMs, { type: "info", cause: "unfinished", error: "traffic stopped while in flight", unfinished: true });
    inFlight.clear();
    await done.catch(() => undefined);
  };
  return { done, stop };
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
