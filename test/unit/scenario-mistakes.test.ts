import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";

/**
 * A scenario author's first hour, as a corpus: test/fixtures/mistakes/scenarios holds the mistakes people make in
 * their first scenario files, one kind per file (and a few files with many), each the control scenario valid.ts
 * with that mistake. Every file is loaded through the loader as `havoc check` and `havoc run` load it, and what it
 * says is asserted whole: every problem at once, in the user's units, naming the line of their own code, with no
 * follow-on errors. Paths in messages are relative to the working directory (the repository root here).
 */
const dir = "test/fixtures/mistakes/";
const scenarios = `${dir}scenarios`;

/** What a refusal says, as `havoc check` prints it: the headline without the file, then one line per problem. */
async function refusal(file: string): Promise<{ problems: string[]; hint?: string }> {
  try {
    await loadScenarioFile(file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const [first, ...rest] = error.message.split("\n");
    expect(first!.startsWith(`${file}: `), first).toBe(true);
    return { problems: [first!.slice(file.length + 2), ...rest.map((line) => line.trim())], ...(error.hint ? { hint: error.hint } : {}) };
  }
  throw new Error(`${file} was accepted`);
}

/** Files the schema and the cross-reference checks refuse: each problem as `path: message`, in the file's order. */
const invalid: Record<string, string[]> = {
  "bare-number-fault-times.ts": [
    'faults[0].at: 10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"',
    'faults[0].for: 5 has no unit: for 5 seconds write "5s", for 5 milliseconds "5ms"',
  ],
  "bare-number-slo.ts": [
    'slos[2].atMost: 10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"',
  ],
  "bare-number-traffic.ts": [
    'traffic[0].duration: 30 has no unit: for 30 seconds write "30s", for 30 milliseconds "30ms"',
  ],
  "compose-file-missing.ts": [
    `topology.compose: no such compose file ${dir}scenarios/compose.yaml (the path "./compose.yaml" is relative to the scenario file); did you mean "../compose.yaml"?`,
    'slos[1].fault: unknown fault id "kill-redis"; fault ids: kill-db',
  ],
  // The compose topology is refused: no node can be called unknown (kill names "db"), as the file may well have one.
  "compose-valid-but-typo.ts": ['topology.nodes.db: unknown key "rol"; did you mean "role"?'],
  "duplicate-fault-id.ts": ['faults[1].id: duplicate fault id "kill-db"'],
  "duration-without-unit.ts": [
    'faults[0].for: expected a duration such as "20s", "1m30s" or "500ms"; got "5": a string needs a unit: write "5s", "5ms" or "5m"',
  ],
  "duration-words.ts": [
    'faults[0].at: expected a duration such as "20s", "1m30s" or "500ms"; got "10 secs": write "10s"',
  ],
  "empty-traffic.ts": ["traffic: expected at least 1 item, got none"],
  "expect-failing-without-fail.ts": [
    'expectFailing: expectFailing names the SLOs a control must fail: it needs expect: "fail"',
  ],
  "fault-after-traffic.ts": [
    "faults[0].at: 45s is not before the end of traffic at 30s: inject before 30s, or make the traffic longer",
  ],
  "follow-on-errors.ts": [
    'faults[0].target: selector matches no node: no node has role "dbs" (did you mean "db"?) (roles: app, db)',
    'slos[0].traffic: unknown traffic class "writer"; did you mean "writers"? traffic classes: writers',
    'slos[1].window.phase: unknown phase "befor"; did you mean "before"? expected one of: before, during, after',
  ],
  "heal-in-tail.ts": [
    "faults[0].for: the fault heals at 28s (at 10s + for 18s), after the end of traffic (30s) minus the fault-free tail (5s): give for at most 15s, inject earlier, or make the traffic longer",
  ],
  "minority-of-two.ts": [
    'faults[0].target.mode: a strict minority needs a pool of at least 3 nodes, and [api, db] has 2: one of them is not a minority; give mode "one"',
  ],
  "missing-build-context.ts": [
    `topology.nodes[0].build.context: no such folder ${dir}scenarios/app (the path "./app" is relative to the scenario file); did you mean "../app"?`,
  ],
  "missing-files-and-typos.ts": [
    `topology.nodes[0].build.context: no such folder ${dir}api (the path "../api" is relative to the scenario file); did you mean "../app"?`,
    `traffic[0].file: no such file ${dir}load/writer.k6.js (the path "../load/writer.k6.js" is relative to the scenario file); did you mean "../load/writers.k6.js"?`,
    'slos[1].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: availability, lost-writes, longest-outage, recovery-time, latency, stale-reads, dropped-iterations, convergence, consistency, linearizable, bank, recovery-point',
  ],
  "missing-k6-script.ts": [
    `traffic[0].file: no such file ${dir}scenarios/load/writers.k6.js (the path "./load/writers.k6.js" is relative to the scenario file); did you mean "../load/writers.k6.js"?`,
  ],
  "missing-name.ts": ["name: missing (expected a string)"],
  "misspelt-fault-kind.ts": [
    'faults[0].kind: unknown kind "kil"; did you mean "kill"? expected one of: kill, stop, pause, restart, crash-loop, isolate, partition, zone-cut, packet-loss, bandwidth, latency, link-toxic, link-down, disk-fill, power-loss, storage-destroy, io-error, io-latency, restore, cpu-stress, memory-stress, memory-limit, clock-skew',
  ],
  "misspelt-key.ts": ['slos[1]: unknown key "atLeastPercnt"; did you mean "atLeastPercent"?'],
  "misspelt-slo-kind.ts": [
    'slos[1].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: availability, lost-writes, longest-outage, recovery-time, latency, stale-reads, dropped-iterations, convergence, consistency, linearizable, bank, recovery-point',
  ],
  "negative-count.ts": ["slos[0].atMost: expected at least 0, got -1"],
  "nine-mistakes.ts": [
    "name: expected a lower-case name of letters, digits and '-', got \"Notes DB crash\"; write \"notes-db-crash\"",
    'topology.nodes[1].ports[0]: expected a number, got "6379": write 6379 without quotes',
    'topology.links[0].to: unknown key "prot"; did you mean "port"?',
    'traffic[0].processes: expected a number, got "2": write 2 without quotes',
    'faults[0].at: 10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"',
    'faults[1].id: duplicate fault id "kill-db"',
    'faults[1].target.names[0]: unknown node "dbb"; did you mean "db"? nodes: api, db',
    "faults[1].at: 45s is not before the end of traffic at 30s: inject before 30s, or make the traffic longer",
    'faults[2].kind: unknown kind "partiton"; did you mean "partition"? expected one of: kill, stop, pause, restart, crash-loop, isolate, partition, zone-cut, packet-loss, bandwidth, latency, link-toxic, link-down, disk-fill, power-loss, storage-destroy, io-error, io-latency, restore, cpu-stress, memory-stress, memory-limit, clock-skew',
    'slos[0]: unknown key "atMots"; did you mean "atMost"?',
    "slos[1].atLeastPercent: expected at most 100, got 120",
    'slos[2].atMost: 10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"',
    'slos[2].fault: unknown fault id "kill-redis"; fault ids: kill-db, cut-db',
  ],
  "no-slos.ts": ["slos: missing (expected a list)"],
  "node-without-image.ts": ["topology.nodes[1].image: expected an image tag or a build"],
  "partition-one-node.ts": [
    "faults[0].target: partition halves needs at least 2 nodes to split, and its target's role \"db\" has only one node, [db]: leave target out to split every node of the topology, or name at least 2 nodes",
  ],
  "percent-over-100.ts": ["slos[1].atLeastPercent: expected at most 100, got 100.5"],
  "port-as-string.ts": [
    'topology.nodes[1].ports[0]: expected a number, got "6379": write 6379 without quotes',
  ],
  "port-not-published.ts": ['traffic[0].target.port: port 80 is not published by "api" (ports: [8080])'],
  "port-out-of-range.ts": ["topology.nodes[1].ports[0]: expected at most 65535, got 70000"],
  "readback-unknown-traffic.ts": [
    'readback[0].traffic: unknown traffic class "writes"; did you mean "writers"? traffic classes: writers',
  ],
  "slo-unknown-fault.ts": ['slos[2].fault: unknown fault id "kill-redis"; fault ids: kill-db'],
  "slo-unknown-traffic.ts": [
    'slos[0].traffic: unknown traffic class "writer"; did you mean "writers"? traffic classes: writers',
  ],
  "stable-for-too-short.ts": [
    "slos[2].stableFor: expected at least 200ms, got 100ms: a shorter hold proves nothing about staying up",
  ],
  "traffic-too-short.ts": ["traffic[0].duration: expected at least 1s, got 500ms"],
  "undeclared-secret.ts": ['secrets: ${secret:redis} is used but "redis" is not declared in secrets'],
  "unknown-node.ts": ['faults[0].target.names[0]: unknown node "redis"; nodes: api, db'],
  "unknown-role.ts": [
    'faults[0].target: selector matches no node: no node has role "database" (roles: app, db)',
  ],
  "upper-case-name.ts": [
    "name: expected a lower-case name of letters, digits and '-', got \"Notes DB crash\"; write \"notes-db-crash\"",
  ],
};

/** Files that do not get as far as validation: the module does not load, or exports no scenario. */
const unloadable: Record<string, { problems: string[]; hint?: string }> = {
  "compose-as-scenario.yaml": {
    problems: ['cannot be loaded as a module (a ".yaml" file)'],
    hint: 'a scenario is a TypeScript or JavaScript module: `import { defineScenario } from "havoc"; export default defineScenario({ ... })`; a compose file is named from it: topology: { compose: "./compose-as-scenario.yaml" }',
  },
  "default-export-function.ts": {
    problems: ["the default export is a function, not a scenario"],
    hint: "export the scenario object: `export default defineScenario({ ... })` (a function that builds one: export what it returns, `export default build()`)",
  },
  "error-in-helper.ts": {
    problems: [
      "threw while loading: TypeError: Cannot read properties of undefined (reading 'map')",
      `at ${dir}lib/nodes.ts:7:23 (appNodes)`,
      '7 | return config.apps!.map((name) => ({ name, build: { context: "../app" }, role: "app", ports: [808...',
      `at ${dir}scenarios/error-in-helper.ts:9:10`,
      "9 | ...appNodes({}),",
    ],
  },
  "missing-relative-import.ts": {
    problems: [
      `cannot import "./lib/nodes.ts": no file ${dir}scenarios/lib/nodes.ts`,
      `at ${dir}scenarios/missing-relative-import.ts:1:26`,
      '1 | import { appNodes } from "./lib/nodes.ts";',
    ],
    hint: `did you mean "../lib/nodes.ts"? (relative imports start from the importing file's folder, ${dir}scenarios)`,
  },
  "misspelt-package.ts": {
    problems: [
      'cannot find package "havok"',
      `at ${dir}scenarios/misspelt-package.ts:1:63`,
      '1 | import { defineScenario, httpReadback, k6Traffic, kill } from "havok";',
    ],
    hint: 'did you mean "havoc"?',
  },
  "no-default-export.ts": {
    problems: ['the module has no default export (it exports "scenario")'],
    hint: "make it the default: `export default scenario;`",
  },
  "syntax-error-plain.mjs": {
    problems: [
      `syntax error at ${dir}scenarios/syntax-error-plain.mjs:9:50: Expected ',', got 'ident'`,
      '9 | { name: "db", image: "redis:7", role: "db" ports: [6379] },',
    ],
  },
  "syntax-error.ts": {
    problems: [
      `syntax error at ${dir}scenarios/syntax-error.ts:9:50: Expected "}" but found "ports"`,
      '9 | { name: "db", image: "redis:7", role: "db" ports: [6379] },',
    ],
  },
  "top-level-type-error.ts": {
    problems: [
      "threw while loading: TypeError: Cannot read properties of undefined (reading 'at')",
      `at ${dir}scenarios/top-level-type-error.ts:4:33`,
      "4 | const faultAt = settings.faults.at;",
    ],
  },
};

describe("the mistakes corpus", () => {
  it("holds at least 30 mistaken files, each asserted below, and a valid control", async () => {
    const files = readdirSync(scenarios).sort();
    const asserted = [...Object.keys(invalid), ...Object.keys(unloadable), ...Object.keys(throughTsxOnly), "valid.ts"].sort();
    expect(files).toEqual(asserted);
    expect(files.length - 1).toBeGreaterThanOrEqual(30);
    await expect(loadScenarioFile(`${scenarios}/valid.ts`)).resolves.toMatchObject({ name: "notes-db-crash" });
  });

  for (const [file, lines] of Object.entries(invalid))
    it(`${file}: ${lines.length} problem(s), all at once`, async () => {
      expect(await refusal(`${scenarios}/${file}`)).toEqual({ problems: ["invalid scenario", ...lines.map((l) => `at ${l}`)], hint: "fix the fields listed above; nothing was started" });
    });

  for (const [file, expected] of Object.entries(unloadable))
    it(`${file}: refused before validation, naming the user's own code`, async () => {
      expect(await refusal(`${scenarios}/${file}`)).toEqual(expected);
    });

  it("a folder passed as the file says it is a folder and lists its scenario files", async () => {
    expect(await refusal(`${dir}folder`)).toEqual({
      problems: [`is a folder, not a scenario file; its scenario files: ${dir}folder/db-crash.ts`],
      hint: `run one of them, or check or run them all: havoc check ${dir}folder, havoc suite ${dir}folder`,
    });
  });

  it("a misspelt file name is answered with the file meant", async () => {
    expect(await refusal(`${scenarios}/vaild.ts`)).toEqual({ problems: ["no such scenario file"], hint: `did you mean ${scenarios}/valid.ts?` });
  });
});

/**
 * What only Node's own loader shows (vitest's bundler defines __dirname and parses .mjs itself), and the product
 * path end to end: one `havoc check` of the files that do not load, through bin/havoc.js with tsx, as a user runs it.
 */
const throughTsxOnly: Record<string, { problems: string[]; hint?: string }> = {
  "commonjs-dirname.ts": {
    problems: [
      "ReferenceError: __dirname is not defined in ES module scope",
      `at ${dir}scenarios/commonjs-dirname.ts:12:48`,
      '12 | traffic: [k6Traffic({ name: "writers", file: __dirname + "/../load/writers.k6.js", target: { node...',
    ],
    hint: "havoc loads scenarios as ES modules: use import.meta.dirname / import.meta.url instead of __dirname / __filename / require",
  },
};

describe("the same files through bin/havoc.js (tsx), as `havoc check` prints them", () => {
  it("prints each file's problems and hint, and exits 2", () => {
    const root = join(import.meta.dirname, "../..");
    const expected = { ...unloadable, ...throughTsxOnly };
    // Node parses a .mjs itself: its own words for the same mistake, at the same place.
    expected["syntax-error-plain.mjs"] = {
      problems: [`syntax error at ${dir}scenarios/syntax-error-plain.mjs:9:50: Unexpected identifier 'ports'`, '9 | { name: "db", image: "redis:7", role: "db" ports: [6379] },'],
    };
    const files = Object.keys(expected).map((f) => `${scenarios}/${f}`);
    const run = spawnSync(process.execPath, [join(root, "bin/havoc.js"), "check", ...files], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(2);
    for (const [file, { problems, hint }] of Object.entries(expected)) {
      const block = run.stdout.split(/\n(?=INVALID |ok )/).find((b) => b.startsWith(`INVALID  ${scenarios}/${file}\n`));
      expect(block, file).toBeDefined();
      const lines = block!.trimEnd().split("\n").slice(1).map((l) => l.trim()).filter((l) => !l.startsWith("checked ") && l !== "");
      expect(lines, file).toEqual([...problems, ...(hint ? [`hint: ${hint}`] : [])]);
    }
  });
});
