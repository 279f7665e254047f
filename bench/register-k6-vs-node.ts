/**
 * Which costs the machine less for a register workload against Redis: k6 with its Redis module
 * (`k6/experimental/redis`, bench/register-clients/k6-side.js) or Node running the harness's own workload runner
 * with the identity register client (bench/register-clients/node-side.ts, what a `workload` class runs). Both run
 * the same mix (identityRegister's: 6 processes / VUs, 5 keys, 50 % GET, 30 % Lua CAS, 20 % SET) as fast as one
 * Redis answers, and both write one JSON line per op (Node: the history file; k6: its console output file, as
 * havoc's k6 scripts hand over op records).
 *
 * Each side is a child process whose whole CPU (user + system, from the parent's reaped-children counters) is
 * measured at a small and a large op count, alternating which side goes first. Printed per side: CPU seconds per
 * 1,000 ops at the large count (startup included), and the marginal CPU per 1,000 ops (large - small over the ops
 * between: startup cancels), with the ratio k6 / Node.
 *
 *   npx tsx bench/register-k6-vs-node.ts [repetitions=5] [smallOps=1000] [largeOps=6000]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../core/log.ts";
import { Topology } from "../core/topology.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { RunSecrets } from "../env/secrets.ts";
import { startTopology } from "../env/topology/start-topology.ts";
import { newRunId } from "../engine/runner/run-id.ts";
import { procSamplers } from "../load/harness-cost.ts";
import { identityServerImage } from "../systems/identity/images.ts";
import { benchMix } from "./register-clients/mix.ts";
import { BenchRecorder } from "./lib/results.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";

const repetitions = Number(process.argv[2] ?? 5);
const smallOps = Number(process.argv[3] ?? 1_000);
const largeOps = Number(process.argv[4] ?? 6_000);
if (!(repetitions >= 1 && smallOps >= 1 && largeOps > smallOps)) {
  console.error("usage: register-k6-vs-node.ts [repetitions>=1] [smallOps>=1] [largeOps>smallOps]");
  process.exit(2);
}
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const log = createLogger("bench-register");

/** One measured run: CPU seconds of the child, and the ops it recorded (lines of its op file). */
interface Measured {
  cpuS: number;
  ops: number;
}

/** Runs a child to completion; the CPU seconds it used (it must be this process's only child then) and its op lines. */
async function measured(command: string, args: string[], env: NodeJS.ProcessEnv, opFile: string): Promise<Measured> {
  const cpuS = await childCpuS(command, args, env);
  const lines = (await readFile(opFile, "utf8")).split("\n").filter((line) => line.startsWith("{"));
  // Both sides must have done the work: an op that threw (info) would be cheap and flatter its side.
  const types: Record<string, number> = {};
  for (const line of lines) {
    const type = String((JSON.parse(line) as { type?: unknown }).type);
    types[type] = (types[type] ?? 0) + 1;
  }
  if ((types.info ?? 0) > 0 || (types.ok ?? 0) < lines.length / 2) throw new Error(`${opFile}: ops by outcome ${JSON.stringify(types)}: expected no info and mostly ok`);
  return { cpuS, ops: lines.length };
}

/** Runs a child to completion and returns the CPU seconds it used (it must be this process's only child then). */
async function childCpuS(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const before = procSamplers.reapedChildrenCpuS();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (c) => (clearTimeout(timer), resolve(c)));
  });
  if (code !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${code}: ${output.join("").slice(-1500)}`);
  return procSamplers.reapedChildrenCpuS() - before;
}

/** Every run writes its own op file (k6's console output and the history writer would append to an old one). */
let runs = 0;
const sides = {
  node: (port: number, ops: number, dir: string) => {
    const file = join(dir, `node-${ops}-${++runs}.ndjson`);
    return measured(process.execPath, ["--import", "tsx", here("./register-clients/node-side.ts"), String(port), String(ops), file], process.env, file);
  },
  k6: (port: number, ops: number, dir: string) => {
    const file = join(dir, `k6-${ops}-${++runs}.ndjson`);
    return measured(
      k6Path(),
      ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--no-summary", `--console-output=${file}`, here("./register-clients/k6-side.js")],
      { ...process.env, PORT: String(port), OPS: String(ops), VUS: String(benchMix.concurrency), MIX: JSON.stringify(benchMix), K6_NO_USAGE_REPORT: "true" },
      file,
    );
  },
};
type Side = keyof typeof sides;

const runId = newRunId();
const topology = Topology.parse({
  nodes: [{ name: "r1", image: identityServerImage.image, command: ["redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"], ports: [6379], ready: { kind: "exec", command: ["sh", "-c", "redis-cli ping | grep -q PONG"] } }],
});
const recorder = new BenchRecorder("register-k6-vs-node", `npx tsx bench/register-k6-vs-node.ts ${repetitions} ${smallOps} ${largeOps}`);
const started = await startTopology({ runId, topology, secrets: new RunSecrets([]), log });
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-register-"));
const cpu: Record<Side, { small: Measured[]; large: Measured[] }> = { node: { small: [], large: [] }, k6: { small: [], large: [] } };
try {
  const port = started.hostPort("r1", 6379);
  // One warm-up each (page cache, Redis's script cache), not counted.
  for (const side of ["node", "k6"] as Side[]) await sides[side](port, smallOps, dir);
  for (let rep = 0; rep < repetitions; rep++) {
    const order: Side[] = rep % 2 === 0 ? ["node", "k6"] : ["k6", "node"];
    for (const side of order) {
      cpu[side].small.push(await sides[side](port, smallOps, dir));
      cpu[side].large.push(await sides[side](port, largeOps, dir));
    }
    const show = (m: Measured) => `${m.cpuS.toFixed(2)} CPU s / ${m.ops} ops`;
    console.log(`rep ${rep + 1}: ${(["node", "k6"] as Side[]).map((s) => `${s} ${show(cpu[s].small.at(-1)!)}, ${show(cpu[s].large.at(-1)!)}`).join("; ")}`);
  }
} finally {
  await started.teardown();
  await rm(dir, { recursive: true, force: true });
}

const perThousand = (cpuS: number, ops: number) => (cpuS * 1_000) / ops;
const totalPer = (s: Side) => cpu[s].large.map((m) => perThousand(m.cpuS, m.ops));
const marginalPer = (s: Side) => cpu[s].large.map((m, i) => perThousand(m.cpuS - cpu[s].small[i]!.cpuS, m.ops - cpu[s].small[i]!.ops));
const startup = (s: Side) => cpu[s].small.map((m, i) => m.cpuS - (marginalPer(s)[i]! * m.ops) / 1_000);
for (const [id, figure, of] of [
  ["register.cpu-per-1000-ops", `CPU s per 1,000 ops, ${largeOps} ops, startup included`, totalPer],
  ["register.marginal-cpu-per-1000-ops", `marginal CPU s per 1,000 ops (${largeOps} - ${smallOps} ops)`, marginalPer],
  ["register.startup-cpu", "CPU s of startup (small run minus its ops at the marginal cost)", startup],
] as const) {
  const k6 = stats(of("k6"), 3);
  const node = stats(of("node"), 3);
  recorder.add({ id, figure, unit: "CPU s", havoc: node, baseline: { what: "k6 with k6/experimental/redis", stats: k6 }, ratio: ratio(node.p50, k6.p50), pairedRatio: pairedRatios(of("node"), of("k6")) });
  console.log(`${figure}: node ${describeStats(node, "s")}; k6 ${describeStats(k6, "s")}; node / k6 ${ratio(node.p50, k6.p50)}`);
}
recorder.notes.push(`Both sides: ${benchMix.concurrency} processes / VUs, ${benchMix.activeKeys} keys, ${benchMix.readPercent} % GET, ${benchMix.casPercent} % Lua CAS, the rest SET, one JSON line per op; one Redis 7 (redis-server of ${identityServerImage.image}) on 127.0.0.1.`);
recorder.write();
