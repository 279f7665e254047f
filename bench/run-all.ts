/**
 * `npm run bench`: every bench of bench/suites.ts in turn, each in its own process (so one's memory and timers never
 * touch the next), then the README table from the result files. A failing bench is reported and the others still
 * run; the exit code is 1 when any failed. Benchmarks print; nothing here asserts a figure.
 *
 *   npx tsx bench/run-all.ts [name ...]   (default: every suite that is not pending)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { renderReadme } from "./render-readme.ts";
import { suites } from "./suites.ts";

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length) throw new Error(`unknown bench(es) ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`);
const chosen = suites.filter((s) => !s.pending && (wanted.length === 0 || wanted.includes(s.name)));
const failed: string[] = [];
for (const suite of chosen) {
  const script = fileURLToPath(new URL(`./${suite.name}.ts`, import.meta.url));
  const started = Date.now();
  console.log(`\n=== bench ${suite.name} ${suite.args.join(" ")} ===`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...suite.args], { stdio: "inherit" });
    child.on("exit", resolve);
  });
  console.log(`=== bench ${suite.name}: ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
  if (code !== 0) failed.push(suite.name);
}
console.log(`\n${renderReadme()}`);
if (failed.length) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exitCode = 1;
}
