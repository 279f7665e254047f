import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runHavoc } from "../support/run-cli.ts";

/** Scenario files a user could really write wrong; each must give exit 2, the file, the path, and no stack trace. */
const badScenarios: Record<string, [string, RegExp]> = {
  "wrong-type.mjs": [`export default { name: "x", topology: { nodes: "three" }, traffic: [], slos: [] };`, /at topology\.nodes: expected a list, got "three": write \["three"\]/],
  "unknown-fault.mjs": [
    `export default { name: "x", topology: { nodes: [{ name: "a", image: "debian:bookworm", ports: [80] }] },
      traffic: [{ name: "t", script: "k6", file: "./devices.ts", target: { node: "a", port: 80 }, duration: "5s" }],
      secrets: ["device-key"], faults: [{ kind: "meteor", target: {}, at: "1s" }],
      slos: [{ id: "s", kind: "availability", traffic: "t", atLeastPercent: 99 }] };`,
    /at faults\[0\]\.kind/,
  ],
  // Issue 11's file: a misspelt SLO kind, a selector matching no node and a heal past the end, all in one refusal.
  "three-mistakes.mjs": [
    `export default { name: "x", secrets: ["device-key"],
      topology: { nodes: [{ name: "a", image: "debian:bookworm", role: "app", ports: [80] }, { name: "b", image: "debian:bookworm", role: "app" }] },
      traffic: [{ name: "t", script: "k6", file: "./devices.ts", target: { node: "a", port: 80 }, duration: "30s" }],
      faults: [{ id: "f", kind: "kill", target: { role: "ap" }, at: "10s", for: "30s" }],
      slos: [{ id: "s", kind: "availabilty", traffic: "t", atLeastPercent: 99 }] };`,
    /at faults\[0\]\.target: selector matches no node: no node has role "ap" \(did you mean "app"\?\) \(roles: app\)\n.*at faults\[0\]\.for: the fault heals at 40s \(at 10s \+ for 30s\), after the end of traffic \(30s\).*\n.*at slos\[0\]\.kind: unknown kind "availabilty"; did you mean "availability"\? expected one of: availability, /,
  ],
  // Names without a mode once meant one of them: this partition of one node failed only at injection, exit 3.
  "one-node-partition.mjs": [
    `export default { name: "x", secrets: ["device-key"],
      topology: { nodes: [{ name: "a", image: "debian:bookworm", ports: [80] }, { name: "b", image: "debian:bookworm" }] },
      traffic: [{ name: "t", script: "k6", file: "./devices.ts", target: { node: "a", port: 80 }, duration: "30s" }],
      faults: [{ kind: "partition", target: { names: ["a", "b"], mode: "one" }, at: "10s", for: "10s" }],
      slos: [{ id: "s", kind: "availability", traffic: "t", atLeastPercnt: 99 }] };`,
    /at faults\[0\]\.target: partition halves needs at least 2 nodes to split, but its target resolves to 1 node: one of \[a, b\] \(mode "one"\)[^]*at slos\[0\]: unknown key "atLeastPercnt"; did you mean "atLeastPercent"\?/,
  ],
  "syntax-error.mjs": [`export default { name: "x", `, /syntax-error\.mjs: syntax error: Unexpected end of input/],
  "no-default.mjs": [`export const scenario = {};`, /no default export/],
};

describe("bad input on the command line (integration)", () => {
  it.each(Object.keys(badScenarios))("%s: exit 2, names the file and the path, no stack trace", async (fileName) => {
    const dir = await mkdtemp(join(tmpdir(), "havoc-bad-"));
    const [text, expected] = badScenarios[fileName]!;
    const file = join(dir, fileName);
    await writeFile(file, text);
    // The k6 script the classes name, so that what is checked is the mistake, not a missing file.
    await writeFile(join(dir, "devices.ts"), "export default function (): void {}\n");
    const run = await runHavoc(["run", file]);
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stderr).toContain(fileName);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("a missing file and an unknown command are usage errors (exit 2)", async () => {
    expect((await runHavoc(["run", "/nonexistent/scenario.ts"])).exitCode).toBe(2);
    expect((await runHavoc(["frobnicate"])).exitCode).toBe(2);
    expect((await runHavoc(["run", "scenarios/trackr/app-node-crash.ts", "--seed", "-1"])).exitCode).toBe(2);
  });
});
