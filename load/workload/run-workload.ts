import type { OpRecord } from "../../core/history.ts";
import type { OpType } from "../../core/workload-op.ts";
import type { ClosableClient, OpOutcome, WorkloadClientContext, WorkloadClientModule, WorkloadServer } from "./client.ts";
import type { HistoryWriter } from "./history-writer.ts";

/** One op a workload's generator chose: its history `f` and invoked value, and how to run it on a client. */
export interface PlannedOp<C> {
  f: string;
  /** The value as invoked (written to the history when the op fails or its outcome is unknown). */
  value: unknown;
  /** Whether the timeline counts it as a write (else a read). */
  write: boolean;
  run(client: C): Promise<OpOutcome<unknown>>;
  /** The value recorded for an ok op, from what the client returned. */
  okValue(returned: unknown): unknown;
}

/** What differs between workloads: which op comes next, and what the generator learns from each completion. */
export interface WorkloadDriver<C> {
  next(): PlannedOp<C>;
  /** Called with each op as written to the history (a register generator learns the values it can CAS from). */
  completed?(op: { f: string; type: OpType; value: unknown }): void;
}

export interface WorkloadRunOptions<C extends ClosableClient> {
  traffic: string;
  module: WorkloadClientModule<C>;
  /** Context of every connection but its process number and server. */
  connection: Omit<WorkloadClientContext, "process" | "host" | "port" | "node" | "servers">;
  /** The class's servers: process slot i connects to servers[i mod n]. At least one. */
  servers: readonly WorkloadServer[];
  writer: HistoryWriter;
  driver: WorkloadDriver<C>;
  /** Processes at once (Jepsen's concurrency). */
  concurrency: number;
  /** Ops started per second at most, over all processes. */
  ratePerSecond: number;
  durationMs: number;
  maxOps: number;
  /** Per-op timeout (info after it). */
  timeoutMs: number;
  /** The run clock's origin: invokeMs and completeMs count from it. */
  originEpochMs: number;
  now?: () => number;
  onOp?(op: OpRecord): void;
  onLog?(line: string): void;
}

export interface WorkloadRunResult {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Processes retired after an unknown outcome (each replaced by a new one). */
  retired: number;
}

export interface WorkloadRun {
  done: Promise<WorkloadRunResult>;
  /** Stops at once: ops still in flight are written as info with completeMs null. Idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

type Unfinished = { type: "info"; cause: string; error: string; unfinished: true };

/**
 * Runs `concurrency` processes, each one op at a time, for `durationMs` or `maxOps` ops, whatever the workload.
 * Each op is written when it completes; after a timeout or an unknown outcome the process's connection is dropped
 * and a new process number takes its place (Jepsen: a process with an op of unknown outcome may still have it in
 * flight, so it may not issue another).
 */
export function runWorkload<C extends ClosableClient>(options: WorkloadRunOptions<C>): WorkloadRun {
  const now = options.now ?? Date.now;
  const runMs = () => now() - options.originEpochMs;
  const counts: WorkloadRunResult = { ops: 0, ok: 0, fail: 0, info: 0, retired: 0 };
  const deadline = now() + options.durationMs;
  const intervalMs = (1_000 * options.concurrency) / options.ratePerSecond;
  let started = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  const inFlight = new Map<number, { planned: PlannedOp<C>; invokeMs: number; startEpochMs: number }>();
  let nextProcess = options.concurrency;

  const record = (process: number, planned: PlannedOp<C>, invokeMs: number, startEpochMs: number, outcome: OpOutcome<unknown> | Unfinished) => {
    const unfinished = "unfinished" in outcome;
    const completeMs = unfinished ? null : Math.max(invokeMs, runMs());
    const type: OpType = outcome.type;
    const value = outcome.type === "ok" ? planned.okValue(outcome.value) : planned.value;
    options.writer.write({
      process,
      f: planned.f,
      type,
      invokeMs,
      completeMs,
      value,
      ...(outcome.type === "ok" && outcome.node ? { node: outcome.node } : {}),
      ...(outcome.type !== "ok" && outcome.error !== undefined ? { error: outcome.error.slice(0, 300) } : {}),
    });
    counts.ops++;
    counts[type]++;
    options.driver.completed?.({ f: planned.f, type, value });
    // A fail without an error is the database's normal "no" (a CAS that did not match): an answered request.
    const answered = outcome.type === "fail" && outcome.error === undefined;
    options.onOp?.({
      traffic: options.traffic,
      op: planned.write ? "write" : "read",
      startEpochMs,
      durationMs: (completeMs ?? runMs()) - invokeMs,
      outcome: answered ? "ok" : type === "info" ? "unknown" : type,
      cause: outcome.type === "ok" ? "ok" : outcome.cause,
    });
  };

  if (options.servers.length === 0) throw new RangeError(`workload ${options.traffic}: no servers`);
  /** The context of a process in slot `slot`: bound to servers[slot mod n], told every server. */
  const contextOf = (slot: number, process: number): WorkloadClientContext => {
    const server = options.servers[slot % options.servers.length]!;
    return { ...options.connection, process, host: server.host, port: server.port, node: server.node, servers: options.servers };
  };

  const open = async (slot: number, process: number): Promise<C | undefined> => {
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
      // Checked again after the wait: other processes may have started the last ops meanwhile.
      if (stopped || now() >= deadline || started >= options.maxOps) break;
      nextStart = Math.max(nextStart + intervalMs, now());
      started++;
      const planned = options.driver.next();
      const startEpochMs = now();
      const invokeMs = startEpochMs - options.originEpochMs;
      inFlight.set(process, { planned, invokeMs, startEpochMs });
      let outcome: OpOutcome<unknown>;
      try {
        outcome = await withTimeout(planned.run(client), options.timeoutMs, planned.f);
      } catch (error) {
        const timedOut = error instanceof TimeoutError;
        outcome = { type: "info", cause: timedOut ? "timeout" : "client-error", error: (error as Error).message };
      }
      if (!inFlight.delete(process)) break; // stop() already wrote it as unfinished
      record(process, planned, invokeMs, startEpochMs, outcome);
      if (outcome.type === "info") {
        // The op may still take effect: this process is done; a new one takes over on a new connection.
        void client.close().catch(() => undefined);
        counts.retired++;
        process = nextProcess++;
        client = await open(slot, process);
      } else if (outcome.type === "fail" && outcome.reconnect) {
        // Definitely not applied, but the connection is gone: same process, new connection.
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
    for (const [process, op] of inFlight) record(process, op.planned, op.invokeMs, op.startEpochMs, { type: "info", cause: "unfinished", error: "traffic stopped while in flight", unfinished: true });
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
