import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { expandScenarioPaths, globToRegExp, matchesTags, selectScenarios } from "../../engine/suite/select-scenarios.ts";
import { repoRoot } from "../support/run-cli.ts";

describe("globToRegExp", () => {
  it("matches * within a name, ** across folders (also none), ? and sets", () => {
    const g = globToRegExp("scenarios/**/*.ts");
    expect(g.test("scenarios/a.ts")).toBe(true);
    expect(g.test("scenarios/trackr/a.ts")).toBe(true);
    expect(g.test("scenarios/trackr/deep/a.ts")).toBe(true);
    expect(g.test("scenarios/trackr/a.js")).toBe(false);
    expect(g.test("other/scenarios/a.ts")).toBe(false);
    expect(globToRegExp("scenarios/*/a.ts").test("scenarios/x/y/a.ts")).toBe(false);
    expect(globToRegExp("s/zone-?.ts").test("s/zone-a.ts")).toBe(true);
    expect(globToRegExp("s/zone-?.ts").test("s/zone-ab.ts")).toBe(false);
    expect(globToRegExp("s/[ab].ts").test("s/b.ts")).toBe(true);
    expect(globToRegExp("s/[!ab].ts").test("s/b.ts")).toBe(false);
    // Dots and other RegExp characters are literal.
    expect(globToRegExp("s/a.ts").test("s/abts")).toBe(false);
  });
});

describe("expandScenarioPaths", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-select-"));
    await mkdir(join(dir, "s", "one"), { recursive: true });
    await mkdir(join(dir, "s", "two"), { recursive: true });
    await mkdir(join(dir, "empty"));
    for (const f of ["s/one/b.ts", "s/one/a.ts", "s/two/c.ts", "s/two/types.d.ts", "s/two/notes.md", "s/.hidden.ts"]) await writeFile(join(dir, f), "export default {}");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("takes files as given, folders recursively (modules only, sorted), globs, and drops duplicates", async () => {
    const rel = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));
    expect(rel(await expandScenarioPaths(["s"], dir))).toEqual(["s/one/a.ts", "s/one/b.ts", "s/two/c.ts"]);
    expect(rel(await expandScenarioPaths(["s/two/c.ts", "s/**/*.ts"], dir))).toEqual(["s/two/c.ts", "s/one/a.ts", "s/one/b.ts", "s/two/types.d.ts"]);
    expect(rel(await expandScenarioPaths(["s/*/b.ts", "s/one"], dir))).toEqual(["s/one/b.ts", "s/one/a.ts"]);
  });

  it("refuses a pattern that names nothing, so a typo cannot shrink a gate", async () => {
    await expect(expandScenarioPaths(["s/nope.ts"], dir)).rejects.toThrow(/"s\/nope.ts": no such scenario file or folder/);
    await expect(expandScenarioPaths(["s/**/*.mjs"], dir)).rejects.toThrow(/matches no file/);
    await expect(expandScenarioPaths(["empty"], dir)).rejects.toThrow(/holds no scenario module/);
    await expect(expandScenarioPaths([], dir)).rejects.toBeInstanceOf(InputError);
  });
});

describe("selectScenarios", () => {
  const fake = (name: string, tags: string[]) =>
    Scenario.parse({
      name,
      tags,
      topology: { nodes: [{ name: "app", image: "app", ports: [80] }] },
      traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app", port: 80 }, duration: "10s" }],
      secrets: ["device-key"],
      slos: [{ kind: "availability", id: "a", traffic: "devices", atLeastPercent: 99 }],
    });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-select-tags-"));
    for (const f of ["a.ts", "b.ts", "c.ts", "broken1.ts", "broken2.ts"]) await writeFile(join(dir, f), "");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const scenarios: Record<string, Scenario> = { "a.ts": fake("a", ["gate", "trackr"]), "b.ts": fake("b", ["trackr", "slow"]), "c.ts": fake("c", []) };
  const load = async (file: string) => {
    const s = scenarios[file];
    if (!s) throw new InputError(`${file}: invalid scenario\n  at slos: expected an array`);
    return s;
  };

  it("keeps scenarios with every --tag and none of the --exclude-tag, in file order", async () => {
    const pick = async (tags: string[], excludeTags: string[] = []) => (await selectScenarios(["a.ts", "b.ts", "c.ts"], { tags, excludeTags }, dir, load)).map((s) => s.scenario.name);
    expect(await pick([])).toEqual(["a", "b", "c"]);
    expect(await pick(["trackr"])).toEqual(["a", "b"]);
    expect(await pick(["trackr", "gate"])).toEqual(["a"]);
    expect(await pick([], ["slow"])).toEqual(["a", "c"]);
    expect(matchesTags(["x"], { tags: [], excludeTags: [] })).toBe(true);
  });

  it("names every broken file at once, and the tags in use when nothing matches", async () => {
    const broken = selectScenarios([dir], { tags: [], excludeTags: [] }, dir, load);
    await expect(broken).rejects.toThrow(/2 of 5 scenario file\(s\) cannot be run:\nbroken1.ts: invalid scenario\n {2}at slos: expected an array\nbroken2.ts/);
    await expect(selectScenarios(["a.ts", "b.ts"], { tags: ["nightly"], excludeTags: [] }, dir, load)).rejects.toMatchObject({
      message: "none of the 2 scenario file(s) matches tag nightly",
      hint: "tags in use: gate, slow, trackr",
    });
  });

  it("refuses two files that give their scenario the same name (history is keyed on it)", async () => {
    scenarios["c.ts"] = fake("a", []);
    await expect(selectScenarios(["a.ts", "c.ts"], { tags: [], excludeTags: [] }, dir, load)).rejects.toThrow(/c.ts and a.ts both name their scenario "a"/);
    scenarios["c.ts"] = fake("c", []);
  });

  it("the project's gate is the trackr scenarios tagged gate, both controls included", async () => {
    const gate = await selectScenarios(["scenarios"], { tags: ["gate"], excludeTags: [] }, repoRoot);
    expect(gate.map((s) => [s.file, s.scenario.expect, s.scenario.expectFailing])).toEqual([
      ["scenarios/trackr/all-app-nodes-crash.ts", "fail", ["device-write-availability", "device-longest-outage"]],
      ["scenarios/trackr/app-node-crash.ts", "pass", []],
      ["scenarios/trackr/replica-lag-stale-reads.ts", "fail", ["fresh-during-lag"]],
    ]);
    // Without a tag, every scenario file of the project (the nightly suite).
    const nightly = await selectScenarios(["scenarios"], { tags: [], excludeTags: [] }, repoRoot);
    const files = readdirSync(join(repoRoot, "scenarios"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(nightly.map((s) => s.file).sort()).toEqual(files.map((f) => `scenarios/${f}`).sort());
  });
});
