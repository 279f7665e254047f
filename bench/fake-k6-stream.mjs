#!/usr/bin/env node
// Stand-in for k6 in bench/streaming-memory.ts: ignores k6's arguments and prints a synthetic stream of op lines
// (the device-fleet/user-sessions format) for BENCH_SECONDS simulated seconds at BENCH_OPS_PER_S, BENCH_WRITES_PER_S
// of them writes, as fast as the reader takes them (accelerated time: the op timestamps advance 1 s per batch).
const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const opsPerSecond = Number(process.env.BENCH_OPS_PER_S ?? 4200);
const writesPerSecond = Number(process.env.BENCH_WRITES_PER_S ?? 42);
const origin = Number(process.env.BENCH_ORIGIN_MS ?? Date.now());
const writeEvery = Math.max(1, Math.round(opsPerSecond / writesPerSecond));
let id = 0;
async function main() {
  for (let s = 0; s < seconds; s++) {
    const lines = [];
    for (let i = 0; i < opsPerSecond; i++) {
      const start = origin + s * 1000 + Math.floor((i * 1000) / opsPerSecond);
      const duration = 5 + ((i * 7919) % 200);
      const outcome = i % 500 === 0 ? "unknown" : i % 97 === 0 ? "fail" : "ok";
      if (i % writeEvery === 0) {
        const cause = outcome === "ok" ? "http_201" : outcome === "fail" ? "http_503" : "timeout";
        lines.push(`{"havoc":"op","op":"write","id":"bench-${id++}","startEpochMs":${start},"durationMs":${duration},"outcome":"${outcome}","cause":"${cause}","node":"app-${(i % 3) + 1}"}`);
      } else {
        const cause = outcome === "ok" ? "http_200" : outcome === "fail" ? "http_429" : "timeout";
        lines.push(`{"havoc":"op","op":"read","startEpochMs":${start},"durationMs":${duration},"outcome":"${outcome}","cause":"${cause}","node":"app-${(i % 3) + 1}"}`);
      }
    }
    // Respect back-pressure, as k6 writing to a pipe does.
    if (!process.stderr.write(lines.join("\n") + "\n")) await new Promise((resolve) => process.stderr.once("drain", resolve));
  }
}
main();
