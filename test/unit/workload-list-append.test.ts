import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { History } from "../../core/history.ts";
import { SloResult } from "../../core/verdict.ts";
import { checkListAppend } from "../../judge/checkers/list-append/check.ts";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import { a, history as build, r, txn } from "../../judge/checkers/testing/build.ts";
import type { ListAppendMop } from "../../judge/checkers/workload-op.ts";
import { ConsistencySlo, checkConsistency } from "../../judge/slos/consistency.ts";
import type { ListAppendClientModule, TxnOutcome, WorkloadClientContext, WorkloadServer } from "../../load/workload/client.ts";
import { HistoryWriter } from "../../load/workload/history-writer.ts";
import { ListAppendGenerator } from "../../load/workload/list-append-generator.ts";
import { runListAppend } from "../../load/workload/run-list-append.ts";
import { WorkloadClass } from "../../load/traffic/workload.ts";
import { random } from "../../judge/checkers/testing/list-append-history.ts";

/**
 * The list-append workload without containers: the transaction generator, the runner's op records (against
 * in-memory clients, one correct, one with the read-then-write bug), and the consistency SLO on recorded histories.
 */

const tmp = () => mkdtemp(join(tmpdir(), "havoc-workload-"));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("list-append generator", () => {
  it("appends unique elements per key in order, retires keys after maxAppendsPerKey, keeps lengths and key count", () => {
    const gen = new ListAppendGenerator({ activeKeys: 3, maxAppendsPerKey: 5, minTxnLength: 2, maxTxnLength: 4, readPercent: 40, random: random(3) });
    const appended = new Map<number, number[]>();
    let reads = 0;
    let mops = 0;
    for (let i = 0; i < 500; i++) {
      const t = gen.next();
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(4);
      for (const m of t) {
        mops++;
        if (m[0] === "r") {
          expect(m[2]).toBeNull();
          reads++;
        } else appended.set(m[1], [...(appended.get(m[1]) ?? []), m[2]]);
      }
      expect(gen.activeKeys.length).toBe(3);
    }
    for (const [, elements] of appended) {
      expect(elements).toEqual(Array.from({ length: elements.length }, (_, i) => i + 1));
      expect(elements.length).toBeLessThanOrEqual(5);
    }
    // Keys rotated: many more keys than active ones, every retired key got its 5 appends.
    expect(appended.size).toBeGreaterThan(20);
    expect([...appended.values()].filter((e) => e.length === 5).length).toBeGreaterThan(15);
    expect(reads / mops).toBeGreaterThan(0.3);
    expect(reads / mops).toBeLessThan(0.5);
  });

  it("readBeforeAppendPercent 100 puts a read of the key before each first append to it", () => {
    const gen = new ListAppendGenerator({ activeKeys: 3, maxAppendsPerKey: 50, minTxnLength: 1, maxTxnLength: 4, readPercent: 0, readBeforeAppendPercent: 100, random: random(5) });
    for (let i = 0; i < 100; i++) {
      const t = gen.next();
      const first = new Map<number, string>();
      for (const m of t) if (!first.has(m[1])) first.set(m[1], m[0]);
      expect([...first.values()].every((f) => f === "r")).toBe(true);
    }
  });

  it("readPercent 0 and 100 give only appends or only reads; bad bounds are refused", () => {
    const appends = new ListAppendGenerator({ activeKeys: 2, maxAppendsPerKey: 10, minTxnLength: 1, maxTxnLength: 3, readPercent: 0 });
    const reads = new ListAppendGenerator({ activeKeys: 2, maxAppendsPerKey: 10, minTxnLength: 1, maxTxnLength: 3, readPercent: 100 });
    for (let i = 0; i < 50; i++) {
      expect(appends.next().every((m) => m[0] === "append")).toBe(true);
      expect(reads.next().every((m) => m[0] === "r")).toBe(true);
    }
    expect(() => new ListAppendGenerator({ activeKeys: 2, maxAppendsPerKey: 10, minTxnLength: 3, maxTxnLength: 2, readPercent: 0 })).toThrow(/minTxnLength/);
    expect(WorkloadClass.safeParse({ script: "workload", name: "t", duration: "5s", target: { node: "db", port: 5432 }, client: "c.ts", minTxnLength: 5, maxTxnLength: 2 }).success).toBe(false);
  });
});

/**
 * An in-memory store of lists. `buggy`: an append reads the list, yields, then writes the whole list back (the
 * read-then-write bug without isolation); otherwise every transaction runs alone (a lock), so histories are
 * serializable.
 */
function memoryClient(options: { buggy: boolean; delayMs?: number; hangOnTxn?: number; failEvery?: number; brokenOnTxn?: number }): ListAppendClientModule & { opened: number[] } {
  const store = new Map<number, number[]>();
  let lock = Promise.resolve();
  let txns = 0;
  const opened: number[] = [];
  return {
    opened,
    async open(ctx) {
      opened.push(ctx.process);
      return {
        async txn(mops): Promise<TxnOutcome> {
          const n = ++txns;
          if (options.hangOnTxn === n) return new Promise<TxnOutcome>(() => undefined);
          if (options.brokenOnTxn === n) return { type: "fail", cause: "connection", error: "Connection terminated unexpectedly", reconnect: true };
          if (options.failEvery && n % options.failEvery === 0) return { type: "fail", cause: "40001", error: "could not serialize access" };
          const run = async () => {
            const out: ListAppendMop[] = [];
            for (const m of mops) {
              if (m[0] === "r") out.push(["r", m[1], [...(store.get(m[1]) ?? [])]]);
              else {
                const before = [...(store.get(m[1]) ?? [])];
                if (options.buggy) await sleep(options.delayMs ?? 2);
                store.set(m[1], [...before, m[2]]);
                out.push(m);
              }
              await sleep(0);
            }
            return { type: "ok" as const, value: out };
          };
          if (options.buggy) return run();
          const result = lock.then(run);
          lock = result.then(() => undefined);
          return result;
        },
        async close() {},
      };
    },
  };
}

async function runMemory(module: ListAppendClientModule, extra: { durationMs?: number; timeoutMs?: number; concurrency?: number; maxOps?: number; servers?: WorkloadServer[] } = {}) {
  const dir = await tmp();
  const writer = new HistoryWriter(join(dir, "history-txns.ndjson"));
  const onOps: { outcome: string; op: string }[] = [];
  const origin = Date.now() - 1_000;
  const run = runListAppend({
    traffic: "txns",
    module,
    connection: { options: {}, timeoutMs: extra.timeoutMs ?? 1_000 },
    servers: extra.servers ?? [{ node: "db", host: "127.0.0.1", port: 1 }],
    writer,
    generator: { activeKeys: 2, maxAppendsPerKey: 20, minTxnLength: 1, maxTxnLength: 4, readPercent: 50, random: random(11) },
    concurrency: extra.concurrency ?? 4,
    ratePerSecond: 1_000,
    durationMs: extra.durationMs ?? 400,
    maxOps: extra.maxOps ?? 300,
    timeoutMs: extra.timeoutMs ?? 1_000,
    originEpochMs: origin,
    onOp: (op) => onOps.push({ outcome: op.outcome, op: op.op }),
  });
  return { run, writer, dir, onOps, path: join(dir, "history-txns.ndjson") };
}

describe("list-append runner", () => {
  it("records every op with process, run-clock times, type and values; a correct client's history is serializable", async () => {
    const { run, writer, path, onOps } = await runMemory(memoryClient({ buggy: false, failEvery: 7 }));
    const counts = await run.done;
    writer.close();
    const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-txns.ndjson");
    expect(parsed.problems).toEqual([]);
    expect(parsed.ops.length).toBe(counts.ops);
    expect(counts.ops).toBeGreaterThan(20);
    expect(counts.fail).toBeGreaterThan(0);
    expect(parsed.ops.map((o) => o.index)).toEqual(parsed.ops.map((_, i) => i));
    for (const op of parsed.ops) {
      expect(op.f).toBe("txn");
      // On the run clock: the origin was 1 s before the run started.
      expect(op.invokeMs).toBeGreaterThanOrEqual(1_000);
      expect(op.completeMs).not.toBeNull();
      expect(op.completeMs!).toBeGreaterThanOrEqual(op.invokeMs);
      expect(op.process).toBeLessThan(4);
      const mops = op.value as ListAppendMop[];
      if (op.type === "ok") expect(mops.filter((m) => m[0] === "r").every((m) => Array.isArray(m[2]))).toBe(true);
      else expect(op.error).toMatch(/serialize/);
    }
    // One op per txn reaches the timeline too, fail as fail.
    expect(onOps.length).toBe(counts.ops);
    expect(onOps.filter((o) => o.outcome === "fail").length).toBe(counts.fail);
    expect(checkListAppend(parsed.ops, { model: "strict-serializable" }).verdict).toBe("pass");
  });

  it("the read-then-write client loses updates and the checker names them", async () => {
    const { run, writer, path } = await runMemory(memoryClient({ buggy: true, delayMs: 3 }), { concurrency: 6, durationMs: 600 });
    await run.done;
    writer.close();
    const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-txns.ndjson");
    expect(parsed.problems).toEqual([]);
    const result = checkListAppend(parsed.ops, { model: "serializable" });
    expect(result.verdict).toBe("fail");
    expect(result.anomalies.map((x) => x.name)).toContain("lost-update");
  });

  it("a transaction past its timeout is info, and its process is retired for a new one", async () => {
    const module = memoryClient({ buggy: false, hangOnTxn: 3 });
    const { run, writer, path } = await runMemory(module, { timeoutMs: 100, concurrency: 2, durationMs: 400 });
    const counts = await run.done;
    writer.close();
    const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-txns.ndjson");
    const info = parsed.ops.filter((o) => o.type === "info");
    expect(info.length).toBe(1);
    expect(info[0]!.error).toMatch(/timed out/);
    expect(counts.retired).toBe(1);
    // Processes 0 and 1 first; the one that timed out came back as process 2.
    expect(module.opened).toEqual([0, 1, 2]);
    expect(parsed.ops.some((o) => o.process === 2)).toBe(true);
    expect(parsed.ops.filter((o) => o.index > info[0]!.index && o.process === info[0]!.process)).toEqual([]);
  });

  it("a definite failure on a broken connection reopens it for the same process", async () => {
    const module = memoryClient({ buggy: false, brokenOnTxn: 2 });
    const { run, writer, path } = await runMemory(module, { concurrency: 1, durationMs: 300 });
    const counts = await run.done;
    writer.close();
    const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-txns.ndjson");
    expect(counts.retired).toBe(0);
    expect(module.opened).toEqual([0, 0]);
    expect(parsed.ops.filter((o) => o.type === "fail").map((o) => o.error)).toEqual(["Connection terminated unexpectedly"]);
    expect(parsed.ops.every((o) => o.process === 0)).toBe(true);
  });

  it("with several servers, process slot i is bound to servers[i mod n] and every client is told the whole list", async () => {
    const servers: WorkloadServer[] = [
      { node: "galera-1", host: "127.0.0.1", port: 1001 },
      { node: "galera-3", host: "127.0.0.1", port: 1003 },
    ];
    const seen: WorkloadClientContext[] = [];
    const module: ListAppendClientModule = {
      async open(ctx) {
        seen.push(ctx);
        return { txn: async (mops) => ({ type: "ok", value: mops.map((m) => (m[0] === "r" ? (["r", m[1], []] as ListAppendMop) : m)) }), close: async () => undefined };
      },
    };
    // A long enough deadline that every slot opens even on a loaded machine; maxOps ends the run after 3 transactions.
    const { run, writer } = await runMemory(module, { concurrency: 3, servers, durationMs: 5_000, maxOps: 3 });
    await run.done;
    writer.close();
    expect(seen.map((c) => [c.process, c.node, c.port]).sort()).toEqual([
      [0, "galera-1", 1001],
      [1, "galera-3", 1003],
      [2, "galera-1", 1001],
    ]);
    for (const c of seen) expect(c.servers).toEqual(servers);
  });

  it("starts exactly maxOps ops, however many processes wait for their slot", async () => {
    // Each op takes 20 ms, so every process is waiting for its next slot when the count runs out: the count is read
    // again after the wait, or up to concurrency - 1 extra ops would start.
    let opened = 0;
    const module: ListAppendClientModule = {
      async open() {
        opened++;
        return {
          txn: async (mops) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            return { type: "ok", value: mops.map((m) => (m[0] === "r" ? (["r", m[1], []] as ListAppendMop) : m)) };
          },
          close: async () => undefined,
        };
      },
    };
    const { run, writer, onOps } = await runMemory(module, { concurrency: 4, durationMs: 5_000, maxOps: 5 });
    await run.done;
    writer.close();
    expect(opened).toBe(4);
    expect(onOps).toHaveLength(5);
  });

  it("a class gives a target or servers, not both, and no server twice", () => {
    const base = { script: "workload", name: "t", duration: "5s", client: "c.ts" };
    const t = { node: "db", port: 5432 };
    expect(WorkloadClass.safeParse({ ...base, target: t }).success).toBe(true);
    expect(WorkloadClass.safeParse({ ...base, servers: [t, { node: "db-2", port: 5432 }] }).success).toBe(true);
    expect(WorkloadClass.safeParse({ ...base }).success).toBe(false);
    expect(WorkloadClass.safeParse({ ...base, target: t, servers: [t] }).success).toBe(false);
    expect(WorkloadClass.safeParse({ ...base, servers: [t, t] }).success).toBe(false);
  });

  it("stop() writes the transactions still in flight as info with no completion", async () => {
    const module = memoryClient({ buggy: false, hangOnTxn: 2 });
    const { run, writer, path } = await runMemory(module, { timeoutMs: 5_000, concurrency: 1, durationMs: 10_000 });
    await sleep(150);
    await run.stop();
    writer.close();
    const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-txns.ndjson");
    expect(parsed.problems).toEqual([]);
    const last = parsed.ops.at(-1)!;
    expect(last).toMatchObject({ type: "info", completeMs: null, error: "traffic stopped while in flight" });
    expect(parsed.ops.length).toBe(2);
  });
});

const emptyHistory: History = {
  runId: "run-1",
  scenario: "s",
  seed: 1,
  trafficStartEpochMs: 1_700_000_000_000,
  trafficEndMs: 20_000,
  timeline: [],
  faults: [],
  containerEvents: [],
  writes: {},
  droppedIterations: {},
  droppedBySecond: [],
};

async function judge(lines: string, model: "serializable" | "read-committed" | "snapshot-isolation" = "serializable") {
  const dir = await tmp();
  await writeFile(join(dir, "history-txns.ndjson"), lines);
  const slo = ConsistencySlo.parse({ kind: "consistency", id: "c", traffic: "txns", model });
  const result = await checkConsistency(slo, emptyHistory, dir);
  SloResult.parse(result);
  return result;
}
const ndjson = (ops: unknown[]) => ops.map((o) => JSON.stringify(o)).join("\n") + "\n";

describe("consistency SLO", () => {
  // Two transactions read the same version of X and both append: Elle's lost update.
  const lostUpdate = build(txn(a(1, 1)), txn(r(1, 1), a(1, 2)), txn(r(1, 1), a(1, 3)), txn(r(1, 1, 2, 3)));

  it("fails a lost update under serializable, naming it with its count and witness", async () => {
    const result = await judge(ndjson(lostUpdate));
    expect(result.verdict).toBe("fail");
    expect(result.why).toMatch(/txns is not serializable: .*lost-update x1/);
    const lost = result.consistency!.anomalies.find((x) => x.name === "lost-update")!;
    expect(lost).toMatchObject({ count: 1, allowed: false });
    expect(lost.witness.txns.map((t) => t.index).sort()).toEqual([1, 2]);
    expect(result.observed).toBeGreaterThanOrEqual(1);
    expect(result.consistency!.historyFile).toBe("history-txns.ndjson");
  });

  it("passes it under read committed, the anomaly reported as allowed", async () => {
    const result = await judge(ndjson(lostUpdate), "read-committed");
    expect(result.verdict).toBe("pass");
    expect(result.observed).toBe(0);
    expect(result.why).toMatch(/allowed by read-committed: .*lost-update x1/);
  });

  it("passes a serializable history", async () => {
    const result = await judge(ndjson(build(txn(a(1, 1)), txn(r(1, 1), a(1, 2)), txn(r(1, 1, 2)))));
    expect(result.verdict).toBe("pass");
    expect(result.why).toMatch(/holds serializable: no forbidden anomaly in 3 ops/);
  });

  it("is unknown, never pass, on a malformed line (named by its number) or a missing history", async () => {
    const good = ndjson(build(txn(a(1, 1)), txn(r(1, 1))));
    const bad = await judge(`${good}{"index": 2, "oops"\n`);
    expect(bad.verdict).toBe("unknown");
    expect(bad.why).toMatch(/line 3/);
    expect(bad.consistency!.problems[0]!.line).toBe(3);
    const missing = await checkConsistency(ConsistencySlo.parse({ kind: "consistency", id: "c", traffic: "nope" }), emptyHistory, await tmp());
    expect(missing).toMatchObject({ verdict: "unknown", observed: null });
    expect(missing.why).toMatch(/history-nope.ndjson is missing/);
    const noDir = await checkConsistency(ConsistencySlo.parse({ kind: "consistency", id: "c", traffic: "txns" }), emptyHistory, undefined);
    expect(noDir.verdict).toBe("unknown");
  });
});
