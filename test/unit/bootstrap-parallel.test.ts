import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { runBootstrapSteps, type PlannedStep } from "../../env/bootstrap/ensure-environment.ts";
import { oneAtATime, workQueue, type BootstrapStep } from "../../env/bootstrap/shared.ts";

/** A step that is missing until ensure() runs; ensure() waits until the test releases it. */
function fakeStep(name: string, events: string[], options: { fails?: boolean; present?: boolean } = {}) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let installed = options.present ?? false;
  const step: BootstrapStep = {
    name,
    check: async () => ({ present: installed, detail: installed ? `${name} here` : `${name} missing` }),
    ensure: async (logger) => {
      events.push(`start ${name}`);
      logger.info(`${name}: working`);
      await released;
      if (options.fails) throw new Error(`${name} broke`);
      installed = true;
      events.push(`end ${name}`);
      return { present: true, detail: `${name} built` };
    },
  };
  return { step, release };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function collectingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger("t", (line) => lines.push(line)) };
}

describe("bootstrap steps at once", () => {
  it("runs independent steps together and a dependent one after its dependency, with prefixed lines", async () => {
    const events: string[] = [];
    const engine = fakeStep("engine", events);
    const base = fakeStep("base", events);
    const k6 = fakeStep("k6", events);
    const { lines, logger } = collectingLogger();
    const planned: PlannedStep[] = [
      { step: engine.step, after: [] },
      { step: base.step, after: ["engine"] },
      { step: k6.step, after: [] },
    ];
    const done = runBootstrapSteps(planned, logger);
    await settle();
    expect(events).toEqual(["start engine", "start k6"]);
    engine.release();
    await settle();
    expect(events).toEqual(["start engine", "start k6", "end engine", "start base"]);
    base.release();
    k6.release();
    const outcomes = await done;
    expect(outcomes.map((o) => [o.step, o.installed, o.detail])).toEqual([
      ["engine", true, "engine built"],
      ["base", true, "base built"],
      ["k6", true, "k6 built"],
    ]);
    expect(lines).toContain("[t] [k6] missing, setting up (k6 missing)");
    expect(lines).toContain("[t] [k6] working"); // "k6: working" from inside the step, without the repeated name
    expect(lines.some((l) => /^\[t\] \[base\] ready in \d+\.\d s \(base built\)$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\[t\] environment ready in \d+\.\d s \(steps at once; longest: \w+ \d+\.\d s\)$/);
  });

  it("finishes the other steps, never starts a failed step's dependents, and throws the failure", async () => {
    const events: string[] = [];
    const engine = fakeStep("engine", events, { fails: true });
    const base = fakeStep("base", events);
    const k6 = fakeStep("k6", events);
    const { lines, logger } = collectingLogger();
    const done = runBootstrapSteps(
      [
        { step: engine.step, after: [] },
        { step: base.step, after: ["engine"] },
        { step: k6.step, after: [] },
      ],
      logger,
    );
    const outcome = done.then(
      () => "resolved",
      (error: Error) => error.message,
    );
    await settle();
    engine.release();
    await settle();
    expect(events).toEqual(["start engine", "start k6"]);
    let finished = false;
    void outcome.then(() => (finished = true));
    await settle();
    expect(finished).toBe(false); // still waiting for k6
    k6.release();
    expect(await outcome).toBe("engine broke");
    expect(events).toEqual(["start engine", "start k6", "end k6"]);
    expect(lines.at(-1)).toMatch(/environment not ready after .*: engine, base failed or could not start/);
  });

  it("runs one after another when asked, with the numbered headers", async () => {
    const events: string[] = [];
    const a = fakeStep("a", events);
    const b = fakeStep("b", events, { present: true });
    const c = fakeStep("c", events);
    const { lines, logger } = collectingLogger();
    const done = runBootstrapSteps(
      [
        { step: a.step, after: [] },
        { step: b.step, after: [] },
        { step: c.step, after: [] },
      ],
      logger,
      { parallel: false },
    );
    await settle();
    expect(events).toEqual(["start a"]);
    a.release();
    await settle();
    await settle();
    expect(events).toEqual(["start a", "end a", "start c"]);
    c.release();
    await done;
    expect(lines).toContain("[t] [2/3] b: present (b here)");
  });

  it("refuses a step waiting for one not listed before it", async () => {
    const { logger } = collectingLogger();
    await expect(runBootstrapSteps([{ step: fakeStep("x", []).step, after: ["y"] }], logger)).rejects.toThrow(/x waits for y, which is not listed before it/);
  });
});

describe("oneAtATime", () => {
  it("runs queued work in order, never overlapping, and says who holds the queue", async () => {
    const queue = workQueue();
    const log: string[] = [];
    let running = 0;
    const job = (name: string, fail = false) =>
      oneAtATime(
        queue,
        name,
        async () => {
          running++;
          log.push(`run ${name} (${running} running)`);
          await settle();
          running--;
          if (fail) throw new Error(`${name} failed`);
          return name;
        },
        (holder) => log.push(`${name} waits for ${holder}`),
      );
    const results = await Promise.allSettled([job("a"), job("b", true), job("c")]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["a", "b failed", "c"]);
    expect(log).toEqual(["b waits for a", "c waits for a", "run a (1 running)", "run b (1 running)", "run c (1 running)"]);
    expect(queue.names).toEqual([]);
  });
});
