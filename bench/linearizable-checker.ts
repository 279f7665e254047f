/**
 * Linearizability checker: time per key of checkLinearizable (porcupine-check, Porcupine's search) on clean
 * simulated register histories of 1k, 10k and 50k ops, 5 keys, 10 processes, with the default per-key bound
 * (10 s) and memory limit (512 MB). Each repetition is a fresh history (another seed) and a fresh process. Also the
 * whole check's wall time (spawn, JSON both ways, every key), and one history with all 50k ops on a single key,
 * to show what the bounds do to a key too big to check. No baseline: there is no other checker here to compare.
 *
 *   npx tsx bench/linearizable-checker.ts [repetitions=3] [binaryPath]   (builds porcupine-check when no path is given)
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkLinearizable, defaultMemoryLimitMB, defaultTimeoutMsPerKey } from "../judge/checkers/linearizable.ts";
import { simulateRegisterHistory } from "../judge/checkers/register-history-sim.ts";
import { BenchRecorder } from "./lib/results.ts";
import { describeStats, stats } from "./lib/stats.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repetitions = Number(process.argv[2] ?? 3);
const given = process.argv[3];
const recorder = new BenchRecorder("linearizable-checker", `npx tsx bench/linearizable-checker.ts ${process.argv.slice(2).join(" ")}`.trim());
const buildDir = await mkdtemp(join(tmpdir(), "havoc-bench-porcupine-"));
const binaryPath = given ?? join(buildDir, "porcupine-check");
if (given === undefined) execFileSync("go", ["build", "-o", binaryPath, "."], { cwd: join(root, "env/go/porcupine-check"), stdio: "inherit" });

const keys = 5;
const processes = 10;
const bound = `each key's search is bounded by timeoutMsPerKey (${defaultTimeoutMsPerKey / 1000} s) and reported per key`;
for (const ops of [1_000, 10_000, 50_000]) {
  const perKey: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const history = simulateRegisterHistory({ ops, keys, processes, seed: 1_000 + i });
    const result = await checkLinearizable(history, { binaryPath });
    if (result.verdict !== "pass") console.log(`  ${ops} ops, seed ${1_000 + i}: ${result.verdict}: ${result.why}`);
    perKey.push(...result.keys.map((k) => k.elapsedMs));
    whole.push(result.elapsedMs);
    console.log(`${ops} ops, rep ${i + 1}: ${result.verdict}, keys ${result.keys.map((k) => `${k.key}:${k.ops} ops ${k.elapsedMs.toFixed(1)} ms`).join(", ")}; whole check ${result.elapsedMs.toFixed(0)} ms`);
  }
  const perKeyStats = stats(perKey);
  const wholeStats = stats(whole);
  console.log(`${ops} ops: per key ${describeStats(perKeyStats)}; whole check ${describeStats(wholeStats)}`);
  const label = ops.toLocaleString("en");
  recorder.add({ id: `linearizable.per-key.${ops / 1_000}k`, figure: `Porcupine search per key, ${label} clean register ops on ${keys} keys by ${processes} processes`, unit: "ms", havoc: perKeyStats, goal: `bounded by timeoutMsPerKey (${defaultTimeoutMsPerKey / 1000} s)` });
  recorder.add({ id: `linearizable.whole.${ops / 1_000}k`, figure: `checkLinearizable wall time, ${label} clean register ops on ${keys} keys (process, JSON, all keys)`, unit: "ms", havoc: wholeStats });
}

// One key holding every op: Porcupine's cache keeps a bitset of all the key's ops per visited state, so memory grows
// with the square of the ops per key; the bounds turn that into "unknown", not a crash.
const single = await checkLinearizable(simulateRegisterHistory({ ops: 50_000, keys: 1, processes, seed: 2_000 }), { binaryPath });
const singleKey = single.keys[0];
console.log(`50,000 ops on one key: ${single.verdict} (${single.why}) after ${single.elapsedMs.toFixed(0)} ms`);
recorder.add({ id: "linearizable.one-key.50k", figure: "50,000 clean register ops on one key by 10 processes: time to a verdict", unit: "ms", havoc: stats([single.elapsedMs]), goal: `a verdict or unknown within the bounds, never a crash (got ${single.verdict}${singleKey?.reason ? `: ${singleKey.reason}` : ""})` });

recorder.notes.push(`Time per key: ${bound}; a key past it is reported unknown with the reason, never pass.`);
recorder.notes.push(`Memory: porcupine-check's heap is limited to ${defaultMemoryLimitMB} MB (debug.SetMemoryLimit plus a sampler that abandons a key whose live heap passes it).`);
recorder.notes.push("Histories are simulated (judge/checkers/register-history-sim.ts): linearizable by construction, values 0-4, ops of 1-20 ms, ~40 % reads, 40 % writes, 20 % cas.");
recorder.notes.push("The machine (2 cores) was shared with other agents' work while this ran: treat the times as upper figures.");
recorder.write();
await rm(buildDir, { recursive: true, force: true });
