import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The import directions of docs/ARCHITECTURE.md, checked on the source: each floor imports only the floors below
 * it, core imports only zod, the harness never imports a reference system (systems/, scenarios/), and the systems
 * use only the public API (api/), as a user's repository does. A folder missing from `allowed` may import nothing
 * of ours. The reference systems' k6 scripts and apps are programs of their own (run by k6, built into images).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const allowed: Record<string, readonly string[]> = {
  core: ["core"],
  env: ["core", "env"],
  load: ["core", "env", "load"],
  judge: ["core", "judge"],
  faults: ["core", "env", "faults"],
  // The scenario as a whole: its schema composed from every kind's, its validation, loading and plan.
  scenario: ["core", "env", "load", "judge", "faults", "scenario"],
  reports: ["core", "judge", "reports"],
  engine: ["core", "env", "load", "judge", "faults", "scenario", "reports", "engine"],
  // The package's public entry points (package.json exports): they wrap the rest, nothing of ours imports them.
  api: ["core", "env", "load", "judge", "faults", "scenario", "reports", "engine", "api"],
  // Reference systems are modules outside the harness: they use what a user's repository uses.
  systems: ["api", "systems"],
  scenarios: ["api", "systems", "scenarios"],
};
/** Packages a folder may import besides Node's built-ins; core is the strictest. */
const corePackages = new Set(["zod"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" || entry.name === "k6" ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

function topFolder(path: string): string {
  return relative(root, path).split(sep)[0]!;
}

/** The imports of one file (its path and text) that its folder may not make. */
function wrongImports(folder: string, file: string, text: string): string[] {
  const may = allowed[folder] ?? [];
  const wrong: string[] = [];
  for (const spec of importsOf(text)) {
    if (spec.startsWith(".")) {
      const target = topFolder(resolve(dirname(file), spec));
      if (!may.includes(target)) wrong.push(`${relative(root, file)} -> ${spec}`);
    } else if (folder === "core" && !spec.startsWith("node:") && !corePackages.has(spec)) {
      wrong.push(`${relative(root, file)} -> ${spec} (core imports only zod)`);
    }
  }
  return wrong;
}

/** The harness: every floor that is not a reference system, a scenario or a test. */
const harness = ["core", "env", "load", "judge", "faults", "scenario", "reports", "engine", "api"];

describe("import directions (docs/ARCHITECTURE.md)", () => {
  for (const folder of Object.keys(allowed)) {
    it(`${folder}/ imports only ${allowed[folder]!.join(", ")}`, () => {
      expect(sourceFiles(join(root, folder)).flatMap((file) => wrongImports(folder, file, readFileSync(file, "utf8")))).toEqual([]);
    });
  }

  it("refuses the harness importing a reference system or a scenario, and a system reaching past the public API", () => {
    for (const folder of harness) {
      const file = join(root, folder, "x.ts");
      expect(wrongImports(folder, file, 'import { trackrTopology } from "../systems/trackr/topology.ts";'), folder).toHaveLength(1);
      expect(wrongImports(folder, file, 'const s = await import("../scenarios/trackr/app-node-crash.ts");'), folder).toHaveLength(1);
    }
    const system = join(root, "systems", "trackr", "topology.ts");
    expect(wrongImports("systems", system, 'import type { Topology } from "../../core/topology.ts";')).toHaveLength(1);
    expect(wrongImports("systems", system, 'import { k6Traffic } from "../../api/index.ts";')).toEqual([]);
  });
});
