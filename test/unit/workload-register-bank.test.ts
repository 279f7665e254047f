import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { History } from "../../core/history.ts";
import { InputError } from "../../core/errors.ts";
import { SloResult } from "../../core/verdict.ts";
import { checkBank } from "../../judge/checkers/bank.ts";
import type { LinearizableResult } from "../../judge/checkers/linearizable.ts";
import { parseWorkloadHistory } from "../../judge/checkers/read-history.ts";
import { toRegisterHistory } from "../../judge/checkers/register-ops.ts";
import { BankSlo, checkBankSlo } from "../../judge/slos/bank.ts";
import { checkLinearizableSlo, LinearizableSlo, linearizableResult } from "../../judge/slos/linearizable.ts";
import { BankGenerator, bankDriver } from "../../load/workload/bank-workload.ts";
import type { BankClientModule, RegisterClientModule } from "../../load/workload/client.ts";
import { HistoryWriter } from "../../load/workload/history-writer.ts";
import { RegisterGenerator, registerDriver } from "../../load/workload/register-workload.ts";
import { runWorkload, type WorkloadDriver } from "../../load/workload/run-workload.ts";
import { WorkloadClass } from "../../load/traffic/workload.ts";
import { random } from "../../judge/checkers/testing/list-append-history.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import registerRc from "../../scenarios/pgha/register-read-committed.ts";

/**
 * The register and bank workloads without containers: generators, the shared runner's op records against
 * in-memory clients (correct and read-then-write), the scenario schema's refusals, and the linearizable and bank
 * SLOs on recorded histories.
 */
const tmp = () => mkdtemp(join(tmpdir(), "havoc-workload-rb-"));
const history = { timeline: [], faults: [], trafficEndMs: 10_000 } as unknown as History;
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("register generator", () => {
  it("writes unique values per key, CASes from the value last seen, and retires keys after maxOpsPerKey", () => {
    const gen = new RegisterGenerator({ activeKeys: 2, maxOpsPerKey: 10, readPercent: 30, casPercent: 50, random: random(4) });
    const written = new Map<number, number[]>();
    let cas = 0;
    for (let i = 0; i < 200; i++) {
      const op = gen.next();
      if (op.f === "write") written.set(op.key, [...(written.get(op.key) ?? []), op.value]);
      if (op.f === "cas") {
        cas++;
        written.set(op.key, [...(written.get(op.key) ?? []), op.to]);
      }
      gen.observe(op.f === "read" ? { f: "read", key: op.key, value: null } : op);
    }
    expect(cas).toBeGreaterThan(0);
    for (const values of written.values()) expect(new Set(values).size).toBe(values.length);
    // 200 ops over keys of 10 ops each: about 20 keys used.
    expect(Math.max(...written.keys())).toBeGreaterThanOrEqual(15);
  });

  it("a CAS compares with what was last seen; a key never seen gets a write", () => {
    const gen = new RegisterGenerator({ activeKeys: 1, maxOpsPerKey: 100, readPercent: 0, casPercent: 100, random: () => 0 });
    expect(gen.next()).toEqual({ f: "write", key: 0, value: 1 });
    gen.observe({ f: "read", key: 0, value: 1 });
    expect(gen.next()).toEqual({ f: "cas", key: 0, from: 1, to: 2 });
    expect(gen.next()).toEqual({ f: "cas", key: 0, from: 1, to: 3 }); // not seen to succeed yet: same `from`
  });

  it("refuses read + cas over 100 %", () => {
    expect(() => new RegisterGenerator({ activeKeys: 1, maxOpsPerKey: 1, readPercent: 60, casPercent: 50 })).toThrow(/readPercent \+ casPercent/);
  });
});

describe("bank generator", () => {
  it("transfers 1..maxTransfer between two different accounts; reads at the asked share", () => {
    const gen = new BankGenerator({ accounts: [0, 1, 2], maxTransfer: 4, readPercent: 30, random: random(9) });
    const ops = Array.from({ length: 1_000 }, () => gen.next());
    const reads = ops.filter((o) => o.f === "read").length;
    expect(reads).toBeGreaterThan(230);
    expect(reads).toBeLessThan(370);
    for (const op of ops) {
      if (op.f !== "transfer") continue;
      expect(op.from).not.toBe(op.to);
      expect(op.amount).toBeGreaterThanOrEqual(1);
      expect(op.amount).toBeLessThanOrEqual(4);
    }
  });
});

/** An in-memory register store; `buggy` compares and writes in two steps with a pause between (read-then-write). */
function memoryRegisters(buggy: boolean): RegisterClientModule {
  const store = new Map<number, number>();
  return {
    async open() {
      return {
        async read(key) {
          await tick(1);
          return { type: "ok", value: store.get(key) ?? null };
        },
        async write(key, value) {
          await tick(1);
          store.set(key, value);
          return { type: "ok", value: null };
        },
        async cas(key, from, to) {
          if (!buggy) {
            await tick(1);
            if (store.get(key) !== from) return { type: "fail", cause: "cas-mismatch" };
            store.set(key, to);
            return { type: "ok", value: null };
          }
          const seen = store.get(key);
          await tick(3);
          if (seen !== from) return { type: "fail", cause: "cas-mismatch" };
          store.set(key, to);
          return { type: "ok", value: null };
        },
        async close() {},
      };
    },
  };
}

/** An in-memory bank; `buggy` reads both balances, pauses, then writes absolute values. */
function memoryBank(buggy: boolean): BankClientModule {
  const balances = new Map<number, number>();
  return {
    async setup(ctx) {
      for (const a of ctx.bank!.accounts) if (!balances.has(a)) balances.set(a, ctx.bank!.initialBalance);
    },
    async open() {
      return {
        async read(accounts) {
          await tick(1);
          return { type: "ok", value: Object.fromEntries(accounts.map((a) => [String(a), balances.get(a)!])) };
        },
        async transfer(from, to, amount) {
          const a = balances.get(from)!;
          const b = balances.get(to)!;
          if (buggy) await tick(3);
          if (a < amount) return { type: "fail", cause: "insufficient-funds" };
          balances.set(from, a - amount);
          balances.set(to, b + amount);
          return { type: "ok", value: null };
        },
        async close() {},
      };
    },
  };
}

async function runMemory<C extends { close(): Promise<void> }>(module: { setup?(ctx: never): Promise<void>; open(ctx: never): Promise<C> }, driver: WorkloadDriver<C>, bank?: { accounts: number[]; initialBalance: number }) {
  const dir = await tmp();
  const path = join(dir, "history-t.ndjson");
  const writer = new HistoryWriter(path);
  const onOps: { outcome: string; op: string; cause: string }[] = [];
  const run = runWorkload({
    traffic: "t",
    module: module as never,
    connection: { options: {}, timeoutMs: 1_000, ...(bank ? { bank } : {}) },
    servers: [{ node: "db", host: "127.0.0.1", port: 1 }],
    writer,
    driver: driver as WorkloadDriver<never>,
    concurrency: 5,
    ratePerSecond: 1_000,
    durationMs: 500,
    maxOps: 400,
    timeoutMs: 1_000,
    originEpochMs: Date.now() - 500,
    onOp: (op) => onOps.push({ outcome: op.outcome, op: op.op, cause: op.cause }),
  });
  const counts = await run.done;
  writer.close();
  const parsed = parseWorkloadHistory(await readFile(path, "utf8"), "history-t.ndjson");
  return { counts, parsed, onOps, dir };
}

describe("register runner", () => {
  it("records read / write / cas in the register value shapes; a CAS that did not match is fail without error", async () => {
    const { counts, parsed, onOps } = await runMemory(memoryRegisters(false), registerDriver({ activeKeys: 2, maxOpsPerKey: 50, readPercent: 40, casPercent: 40, random: random(2) }));
    expect(parsed.problems).toEqual([]);
    expect(counts.ops).toBeGreaterThan(50);
    expect(new Set(parsed.ops.map((o) => o.f))).toEqual(new Set(["read", "write", "cas"]));
    const converted = toRegisterHistory(parsed.ops);
    expect(converted.problems).toEqual([]);
    const mismatches = parsed.ops.filter((o) => o.f === "cas" && o.type === "fail");
    expect(mismatches.length).toBeGreaterThan(0);
    for (const m of mismatches) expect(m.error).toBeUndefined();
    // The database answered: the timeline counts a mismatch as an answered request, not an error.
    expect(onOps.filter((o) => o.cause === "cas-mismatch").every((o) => o.outcome === "ok")).toBe(true);
    for (const op of parsed.ops.filter((o) => o.f === "read" && o.type === "ok")) expect(op.value).toHaveProperty("value");
  });
});

describe("bank runner", () => {
  it("a correct client keeps the total; the read-then-write client loses money and checkBank names the first bad read", async () => {
    const accounts = [0, 1, 2, 3];
    const driver = () => bankDriver({ accounts, maxTransfer: 5, readPercent: 40, random: random(6) });
    const good = await runMemory(memoryBank(false), driver(), { accounts, initialBalance: 10 });
    expect(good.parsed.problems).toEqual([]);
    expect(checkBank(good.parsed.ops, { accounts, initialTotal: 40 }).verdict).toBe("pass");
    const bad = await runMemory(memoryBank(true), driver(), { accounts, initialBalance: 10 });
    const result = checkBank(bad.parsed.ops, { accounts, initialTotal: 40 });
    expect(result.verdict).toBe("fail");
    expect(result.badReadCounts.wrongTotal).toBeGreaterThan(0);
    expect(result.firstBad).not.toBeNull();
  });
});

describe("workload class schema", () => {
  const base = { script: "workload", name: "t", duration: "5s", target: { node: "db", port: 5432 }, client: "c.ts" };
  it("a field of another workload kind is refused by name", () => {
    const r = WorkloadClass.safeParse({ ...base, workload: "register", accounts: 3 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["accounts", "accounts applies to workload bank, not register"]]);
    const la = WorkloadClass.safeParse({ ...base, casPercent: 10 });
    expect(la.error!.issues[0]).toMatchObject({ path: ["casPercent"], message: "casPercent applies to workload register, not list-append" });
  });
  it("read + cas over 100 % names casPercent; an unknown workload kind lists the kinds", () => {
    expect(WorkloadClass.safeParse({ ...base, workload: "register", readPercent: 70, casPercent: 40 }).error!.issues[0]).toMatchObject({ path: ["casPercent"] });
    const r = WorkloadClass.safeParse({ ...base, workload: "registers" });
    expect(r.error!.issues[0]!.path).toEqual(["workload"]);
  });
  it("an SLO checking another workload kind's history is refused at the SLO's traffic field", () => {
    const s = structuredClone(registerRc) as unknown as { slos: Record<string, unknown>[] };
    s.slos.push({ id: "b", kind: "bank", traffic: "registers" });
    let message = "";
    try {
      parseScenario(s, "scenarios/test.ts");
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      message = (error as Error).message;
    }
    expect(message).toContain('slos[1].traffic: bank checks bank histories; "registers" is a register workload');
  });
});

const registerLine = (index: number, process: number, f: string, type: string, invokeMs: number, completeMs: number, value: unknown) => JSON.stringify({ index, process, f, type, invokeMs, completeMs, value });

describe("linearizable SLO", () => {
  const slo = LinearizableSlo.parse({ kind: "linearizable", id: "lin", traffic: "t" });
  it("a missing history, bad input or no checker binary is unknown, never pass", async () => {
    const dir = await tmp();
    expect(await checkLinearizableSlo(slo, history, { runDir: dir, toolPath: (n) => n })).toMatchObject({ verdict: "unknown", why: "t recorded no history (history-t.ndjson is missing)" });
    await writeFile(join(dir, "history-t.ndjson"), `${registerLine(0, 0, "write", "ok", 1, 2, { key: 0, value: 1 })}\nnot json\n`);
    const bad = await checkLinearizableSlo(slo, history, { runDir: dir, toolPath: (n) => n });
    expect(bad.verdict).toBe("unknown");
    expect(bad.why).toMatch(/^t linearizability cannot be judged: bad input: line 2: \S*history-t.ndjson: not JSON/);
    await writeFile(join(dir, "history-t.ndjson"), `${registerLine(0, 0, "write", "ok", 1, 2, { key: 0, value: 1 })}\n`);
    expect(await checkLinearizableSlo(slo, history, { runDir: dir })).toMatchObject({ verdict: "unknown", why: expect.stringMatching(/porcupine-check is not available/) });
    // A checker that dies (here: a stand-in that exits 1 at once) is unknown with the reason, never a crash or a pass.
    const broken = join(dir, "porcupine-check");
    await writeFile(broken, "#!/bin/sh\necho 'porcupine-check: out of memory' >&2\nexit 1\n", { mode: 0o755 });
    expect(await checkLinearizableSlo(slo, history, { runDir: dir, toolPath: () => broken })).toMatchObject({
      verdict: "unknown",
      why: "t linearizability cannot be judged: porcupine-check exited 1: porcupine-check: out of memory",
    });
  });

  it("a failing key's row names it, counts keys, gives the witness ops and the visualization relative to the run", () => {
    const ops = parseWorkloadHistory(
      [
        registerLine(0, 0, "write", "ok", 0, 5, { key: 0, value: 1 }),
        registerLine(1, 1, "cas", "ok", 10, 20, { key: 0, from: 1, to: 2 }),
        registerLine(2, 2, "cas", "ok", 11, 21, { key: 0, from: 1, to: 3 }),
        registerLine(3, 0, "read", "ok", 30, 31, { key: 1, value: null }),
      ].join("\n"),
      "h",
    ).ops;
    const result: LinearizableResult = {
      verdict: "fail",
      why: "key 0 is not linearizable (3 ops; prefix of 2 linearizable; stuck at line 3; see linearizability-0.html)",
      keys: [
        { key: "0", result: "illegal", ops: 3, elapsedMs: 0.2, visualization: "/run/linearizability-t/linearizability-0.html", linearizablePrefix: [0, 1], unlinearizableOp: 2 },
        { key: "1", result: "ok", ops: 1, elapsedMs: 0.1, visualization: null },
      ],
      elapsedMs: 12,
      maxMsPerKey: 10_000,
      problems: [],
    };
    const row = SloResult.parse(linearizableResult(slo, history, result, ops, "/run"));
    expect(row).toMatchObject({ verdict: "fail", observed: 1, unit: "keys", target: "0 non-linearizable keys" });
    expect(row.why).toMatch(/^t: 1 of 2 keys not linearizable; key 0 is not linearizable/);
    expect(row.linearizable!.keys[0]!.visualization).toBe("linearizability-t/linearizability-0.html");
    expect(row.linearizable!.witness.map((o) => o.index)).toEqual([0, 1, 2]);
  });
});

describe("bank SLO", () => {
  const slo = BankSlo.parse({ kind: "bank", id: "bank", traffic: "b" });
  const bankOf = () => ({ accounts: [0, 1], initialTotal: 20 });
  const line = (index: number, f: string, value: unknown) => JSON.stringify({ index, process: 0, f, type: "ok", invokeMs: index, completeMs: index + 1, value });
  it("fails on a wrong total naming the first bad read; passes a balanced history; unknown without the class's accounts", async () => {
    const dir = await tmp();
    await writeFile(join(dir, "history-b.ndjson"), [line(0, "read", { balances: { 0: 10, 1: 10 } }), line(1, "transfer", { from: 0, to: 1, amount: 3 }), line(2, "read", { balances: { 0: 7, 1: 16 } })].join("\n"));
    const row = SloResult.parse(await checkBankSlo(slo, history, { runDir: dir, bankOf }));
    expect(row).toMatchObject({ verdict: "fail", observed: 1, unit: "bad reads", target: "0 bad reads (total 20, none negative)" });
    expect(row.why).toBe("b lost or made money: wrong total x1; 1 of 2 committed reads are wrong; the first, op 2 (line 3): total 23, expected 20");
    expect(row.bank!.firstBad).toMatchObject({ index: 2, total: 23, balances: { 0: 7, 1: 16 } });
    await writeFile(join(dir, "history-b.ndjson"), [line(0, "read", { balances: { 0: 10, 1: 10 } }), line(1, "read", { balances: { 0: 7, 1: 13 } })].join("\n"));
    expect(await checkBankSlo(slo, history, { runDir: dir, bankOf })).toMatchObject({ verdict: "pass", observed: 0 });
    expect(await checkBankSlo(slo, history, { runDir: dir })).toMatchObject({ verdict: "unknown", why: expect.stringMatching(/not a bank workload this run knows/) });
  });
});
