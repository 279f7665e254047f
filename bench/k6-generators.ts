/**
 * Load from several machines: one k6 class at a fixed arrival rate, run whole `havoc run`s (runScenario) with
 *   - a k6 process here (the default path, for reference),
 *   - 1 generator: a k6 container on this machine's engine, or on host "remote",
 *   - 2 generators: one here and one on "remote", each running half the execution segments,
 * and per generator the rate asked (rate / generators) against the rate reached (ops it started in the class's
 * duration from its own first op, from the write ledger, where every op names its generator), k6's own iteration
 * count and dropped iterations, and how long after the run clock's origin its first op started (a container starts
 * later than a process here, and a generator on another host later still).
 *
 * "remote" is a second Docker engine in a container of this machine (test/support/second-engine.ts), joined by swarm:
 * both generators share this machine's 2 cores, so the figures show the split and the harness's path, not more power.
 *
 *   npx tsx bench/k6-generators.ts [repetitions=3] [ratePerSecond=600] [durationS=20]
 */
import { readFile, rm } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../core/log.ts";
import { runScenario } from "../engine/runner/run-scenario.ts";
import { LedgerLine } from "../load/write-ledger.ts";
import { parseScenario } from "../scenario/load-scenario.ts";
import type { ScenarioInput } from "../scenario/scenario.ts";
import { startSecondEngine } from "../test/support/second-engine.ts";
import { BenchRecorder } from "./lib/results.ts";
import { stats, type Stats } from "./lib/stats.ts";

const args = process.argv.slice(2);
const repetitions = Number(args[0] ?? 3);
const rate = Number(args[1] ?? 600);
const durationS = Number(args[2] ?? 20);
const script = fileURLToPath(new URL("./fixtures/k6-rate.k6.ts", import.meta.url));
const recorder = new BenchRecorder("k6-generators", `npx tsx bench/k6-generators.ts ${args.join(" ")}`.trim());
const log = createLogger("bench");
const quiet = createLogger("bench", () => undefined);

/** Each configuration: the class's generators (undefined: a k6 process here). */
const configs: { name: string; generators?: { host: string }[] }[] = [
  { name: "k6 process here" },
  { name: "1 generator here", generators: [{ host: "local" }] },
  { name: "1 generator on remote", generators: [{ host: "remote" }] },
  { name: "2 generators (here + remote)", generators: [{ host: "local" }, { host: "remote" }] },
];

function scenarioFor(url: string, generators: { host: string }[] | undefined): ScenarioInput {
  return {
    name: "k6-generators-bench",
    hosts: { remote: { docker: url } },
    // toxiproxy's API (a Go HTTP server) answers GET /version at once: the target is not what limits the rate.
    topology: { nodes: [{ name: "target", image: "havoc/toxiproxy:dev", ports: [8474], ready: { kind: "http", port: 8474, path: "/version" } }] },
    traffic: [
      {
        script: "k6",
        name: "load",
        file: script,
        target: { node: "target", port: 8474 },
        duration: `${durationS}s`,
        ratePerSecond: rate,
        env: { RATE_PER_SECOND: String(rate) },
        ...(generators ? { generators } : {}),
      },
    ],
    gate: { minSuccessPercent: 0, minRequests: 0 },
    slos: [{ id: "availability", kind: "availability", traffic: "load", atLeastPercent: 0 }],
  };
}

interface GeneratorFigures {
  reachedPerS: number;
  iterations: number | null;
  dropped: number | null;
  okPercent: number;
  firstOpMs: number;
}

/** Per generator ("here" for a k6 process), from the ledger and the traffic-finished event of one run. */
async function figures(runDir: string): Promise<Map<string, GeneratorFigures>> {
  const ledger = (await readFile(join(runDir, "ledger.ndjson"), "utf8")).split("\n").filter(Boolean).map((l) => LedgerLine.parse(JSON.parse(l)));
  const events = (await readFile(join(runDir, "events.ndjson"), "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; generators?: { name: string; iterations: number | null; droppedIterations: number | null }[]; httpReqs?: number; droppedIterations?: number });
  const finished = events.find((e) => e.type === "traffic-finished")!;
  const by = new Map<string, LedgerLine[]>();
  for (const line of ledger) {
    const key = line.generator ?? "here";
    by.set(key, [...(by.get(key) ?? []), line]);
  }
  const out = new Map<string, GeneratorFigures>();
  for (const [name, lines] of by) {
    const firstOpMs = Math.min(...lines.map((l) => l.atMs));
    const inWindow = lines.filter((l) => l.atMs >= firstOpMs && l.atMs < firstOpMs + durationS * 1000);
    const k6 = finished.generators?.find((g) => g.name === name);
    out.set(name, {
      reachedPerS: inWindow.length / durationS,
      iterations: k6 ? k6.iterations : finished.generators ? null : (finished.httpReqs ?? null),
      dropped: k6 ? k6.droppedIterations : finished.generators ? null : (finished.droppedIterations ?? null),
      okPercent: (100 * lines.filter((l) => l.outcome === "ok").length) / lines.length,
      firstOpMs,
    });
  }
  return out;
}

const constant = (value: number, n: number): Stats => stats(Array.from({ length: n }, () => value));

const engine = await startSecondEngine({ log });
const reportsDir = await mkdtemp(join(tmpdir(), "havoc-bench-k6-generators-"));
try {
  await engine.joinSwarm();
  console.log(`k6-generators: ${rate}/s asked for ${durationS} s, ${repetitions} run(s) per configuration; remote = ${engine.url}`);
  const results = new Map<string, Map<string, GeneratorFigures[]>>();
  for (let rep = 0; rep < repetitions; rep++) {
    // Rotating the order each repetition, so no configuration always runs on a warmer or a busier machine.
    const order = configs.map((_, i) => configs[(i + rep) % configs.length]!);
    for (const config of order) {
      const scenario = parseScenario(scenarioFor(engine.url, config.generators), "bench/k6-generators.ts");
      const outcome = await runScenario({ file: "bench/k6-generators.ts", scenario, reportsDir, log: quiet, signal: new AbortController().signal });
      if (outcome.report.status !== "completed") throw new Error(`${config.name}: run ${outcome.runId} ended ${outcome.report.status}: ${outcome.report.reason ?? ""}`);
      const byGenerator = await figures(outcome.runDir);
      const perConfig = results.get(config.name) ?? new Map<string, GeneratorFigures[]>();
      for (const [name, f] of byGenerator) perConfig.set(name, [...(perConfig.get(name) ?? []), f]);
      results.set(config.name, perConfig);
      console.log(`  ${config.name.padEnd(30)} ${[...byGenerator].map(([n, f]) => `${n}: ${f.reachedPerS.toFixed(1)}/s (k6 ${f.iterations} it, ${f.dropped} dropped, ok ${f.okPercent.toFixed(1)} %, first op ${f.firstOpMs} ms)`).join("; ")}`);
    }
  }
  for (const config of configs) {
    const perConfig = results.get(config.name)!;
    const asked = rate / (config.generators?.length ?? 1);
    const total = [...perConfig.values()][0]!.map((_, rep) => [...perConfig.values()].reduce((n, runs) => n + runs[rep]!.reachedPerS, 0));
    recorder.add({ id: `k6.generators.${config.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.total`, figure: `${config.name}: whole class, ops started per second`, unit: "ops/s", havoc: stats(total), baseline: { what: "asked", stats: constant(rate, total.length) }, ratio: Number((stats(total).p50 / rate).toFixed(3)) });
    for (const [name, runs] of perConfig) {
      const reached = stats(runs.map((r) => r.reachedPerS));
      recorder.add({
        id: `k6.generators.${config.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.${name}`,
        figure: `${config.name}: generator ${name}, ops started per second (k6 iterations ${runs.map((r) => r.iterations).join("/")}, dropped ${runs.map((r) => r.dropped).join("/")}, first op at ${runs.map((r) => r.firstOpMs).join("/")} ms)`,
        unit: "ops/s",
        havoc: reached,
        baseline: { what: `asked (${rate}/s over ${config.generators?.length ?? 1})`, stats: constant(asked, runs.length) },
        ratio: Number((reached.p50 / asked).toFixed(3)),
      });
      console.log(`${config.name.padEnd(30)} ${name.padEnd(9)} asked ${asked}/s, reached p50 ${reached.p50}/s (min ${reached.min}, max ${reached.max})`);
    }
  }
  recorder.notes.push(`the remote host is a second Docker engine in a container of this machine, joined by swarm (test/support/second-engine.ts): every generator shares this machine's cores`);
  recorder.notes.push("reached: ops a generator started within the class's duration counted from its own first op (from the write ledger, where each op names its generator), divided by the duration; first op: ms after the run clock's origin");
  recorder.write();
} finally {
  await engine.close();
  await rm(reportsDir, { recursive: true, force: true });
}
