#!/usr/bin/env node
// Stand-in for k6 in bench/streaming-memory.ts and bench/result-processing.ts: ignores k6's arguments except
// --console-output=<file>, and prints a synthetic stream of op lines (the device-fleet/user-sessions mix) for
// BENCH_SECONDS simulated seconds at BENCH_OPS_PER_S, BENCH_WRITES_PER_S of them writes, as fast as it can (accelerated
// time: the op timestamps advance 1 s per batch). The lines go where k6 puts a script's console: the
// --console-output file when given (as havoc runs k6), stderr otherwise. BENCH_FORMAT=1 prints format 1 (JSON, what
// havoc read before format 2) for the decoding floor of bench/result-processing.ts.
import { createWriteStream } from "node:fs";

const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const opsPerSecond = Number(process.env.BENCH_OPS_PER_S ?? 4200);
const writesPerSecond = Number(process.env.BENCH_WRITES_PER_S ?? 42);
const origin = Number(process.env.BENCH_ORIGIN_MS ?? Date.now());
const json = process.env.BENCH_FORMAT === "1";
const consoleArg = process.argv.find((a) => a.startsWith("--console-output="));
const out = consoleArg ? createWriteStream(consoleArg.slice("--console-output=".length), { flags: "a" }) : process.stderr;
const writeEvery = Math.max(1, Math.round(opsPerSecond / writesPerSecond));
let id = 0;

function line(op, idText, start, duration, outcome, cause, node) {
  if (json) return `{"havoc":"op","op":"${op}",${idText === "" ? "" : `"id":"${idText}",`}"startEpochMs":${start},"durationMs":${duration},"outcome":"${outcome}","cause":"${cause}","node":"${node}"}`;
  return `havoc-op/2\t${op}\t${start}\t${duration}\t${outcome}\t${cause}\t${node}\t${idText}\t`;
}

async function main() {
  for (let s = 0; s < seconds; s++) {
    const lines = [];
    for (let i = 0; i < opsPerSecond; i++) {
      const start = origin + s * 1000 + Math.floor((i * 1000) / opsPerSecond);
      const duration = 5 + ((i * 7919) % 200);
      const outcome = i % 500 === 0 ? "unknown" : i % 97 === 0 ? "fail" : "ok";
      const node = `app-${(i % 3) + 1}`;
      if (i % writeEvery === 0) lines.push(line("write", `bench-devices-${id++}`, start, duration, outcome, outcome === "ok" ? "http_201" : outcome === "fail" ? "http_503" : "timeout", node));
      else lines.push(line("read", "", start, duration, outcome, outcome === "ok" ? "http_200" : outcome === "fail" ? "http_429" : "timeout", node));
    }
    // Respect back-pressure, as k6 writing to a pipe does.
    if (!out.write(lines.join("\n") + "\n")) await new Promise((resolve) => out.once("drain", resolve));
  }
  if (out !== process.stderr) await new Promise((resolve) => out.end(resolve));
}
main();
