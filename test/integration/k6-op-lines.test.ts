/**
 * Op lines through a real k6: format 2 printed by `havoc/k6` into k6's --console-output file and read back exactly
 * (escapes, fractions, stale flags, the script's other console lines), a script printing format 1 refused with a
 * message that says so, and the harness cost meter seeing the k6 child's CPU.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpRecord } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import { k6Path } from "../../env/bootstrap/go-tools.ts";
import { startHarnessCost } from "../../load/harness-cost.ts";
import { bundleK6Script } from "../../load/k6-bundle.ts";
import { startK6 } from "../../load/k6-process.ts";

const k6 = k6Path();
const k6Missing = !existsSync(k6);
if (k6Missing && process.env.HAVOC_REQUIRE_TOOLS) throw new Error(`HAVOC_REQUIRE_TOOLS is set but k6 is missing at ${k6}: run \`havoc setup\``);
if (k6Missing) console.warn(`SKIPPED k6 op line tests: no k6 at ${k6} (run \`havoc setup\`)`);

const formatTwoScript = `
import { printOp, reportOp } from "havoc/k6";
export const options = { vus: 1, iterations: 1 };
export default function () {
  reportOp({ op: "write", startEpochMs: 1700000000123, durationMs: 1.5, outcome: "unknown", cause: "a\\tb", id: "x\\ny\\\\z", node: "n ✓" });
  printOp({ havoc: "op", op: "read", startEpochMs: 1700000000200, durationMs: 0, outcome: "ok", cause: "http_200", stale: true });
  console.log("hello from the script");
  reportOp({ op: "read", startEpochMs: 1700000000300, durationMs: 7, outcome: "fail", cause: "refused" });
  // 600 ms of spinning (CPU for the harness cost meter to find).
  const until = Date.now() + 600;
  while (Date.now() < until) Math.sqrt(Math.random());
}
export function handleSummary() { return {}; }
`;

const formatOneScript = `
export const options = { vus: 1, iterations: 3 };
export default function () {
  console.log(JSON.stringify({ havoc: "op", op: "read", startEpochMs: Date.now(), durationMs: 1, outcome: "ok", cause: "http_200" }));
}
export function handleSummary() { return {}; }
`;

describe.skipIf(k6Missing)("op lines through k6", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-k6-oplines-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, source: string, bundle: boolean) => {
    const sourcePath = join(dir, `${name}.ts`);
    await writeFile(sourcePath, source);
    const scriptPath = bundle ? await bundleK6Script(sourcePath, dir, name) : sourcePath.replace(/\.ts$/, ".js");
    if (!bundle) await writeFile(scriptPath, source);
    const ops: OpRecord[] = [];
    const logs: string[] = [];
    const handle = startK6({ k6Path: k6, scriptPath, runDir: dir, traffic: name, env: {}, durationMs: 1_000, gracefulStopMs: 1_000, onOp: (op) => ops.push(op), onLog: (line) => logs.push(line), logger: createLogger("test", () => undefined) });
    return { handle, ops, logs };
  };

  it("reads back exactly what the script reported, forwards its other console lines, and removes the console file", async () => {
    const meter = startHarnessCost();
    const { handle, ops, logs } = await run("fmt2", formatTwoScript, true);
    const result = await handle.done;
    const cost = meter.stop();
    expect(result.exitCode, logs.join("\n")).toBe(0);
    expect(result.badOpLines).toBe(0);
    expect(ops).toEqual([
      { traffic: "fmt2", op: "write", startEpochMs: 1_700_000_000_123, durationMs: 1.5, outcome: "unknown", cause: "a\tb", id: "x\ny\\z", node: "n ✓" },
      { traffic: "fmt2", op: "read", startEpochMs: 1_700_000_000_200, durationMs: 0, outcome: "ok", cause: "http_200", stale: true },
      { traffic: "fmt2", op: "read", startEpochMs: 1_700_000_000_300, durationMs: 7, outcome: "fail", cause: "refused" },
    ]);
    expect(logs).toEqual(["hello from the script"]);
    expect((await readdir(dir)).filter((f) => f.includes("console"))).toEqual([]);
    // The script spun 600 ms (a bare k6 run takes ~0.03 s CPU); k6 exits before the meter samples it once a second,
    // so the figure comes from the reaped children's times at exit. A shared machine may give the spin a third of a core.
    expect(cost.k6CpuS).toBeGreaterThan(0.15);
    expect(cost.k6CpuS).toBeLessThan(cost.wallS * cost.cores);
    expect(cost.havocCpuS).toBeGreaterThan(0);
  }, 30_000);

  it("refuses a script printing format 1 (JSON) lines and says why", async () => {
    const { handle, ops } = await run("fmt1", formatOneScript, false);
    await expect(handle.done).rejects.toThrow(/traffic fmt1: op line format 1 \(JSON\) is no longer read: this havoc reads format 2 \(havoc-op\/2\)/);
    expect(ops).toEqual([]);
  }, 30_000);
});
