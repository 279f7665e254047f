import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The import directions of shared/DESIGN.md, checked on the source: core imports only zod, reports only core,
 * nothing but tests imports scenarios/, and nothing but tests (and users' repositories) imports api/. A folder
 * missing from `allowed` may import nothing of ours.
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
  systems: ["core", "api", "systems"],
  scenarios: ["core", "api", "systems", "scenarios"],
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

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

function topFolder(path: string): string {
  return relative(root, path).split(sep)[0]!;
}

describe("import directions (shared/DESIGN.md)", () => {
  for (const [folder, may] of Object.entries(allowed)) {
    it(`${folder}/ imports only ${may.join(", ")}`, () => {
      const wrong: string[] = [];
      for (const file of sourceFiles(join(root, folder))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith(".")) {
            const target = topFolder(resolve(dirname(file), spec));
            if (!may.includes(target)) wrong.push(`${relative(root, file)} -> ${spec}`);
          } else if (folder === "core" && !spec.startsWith("node:") && !corePackages.has(spec)) {
            wrong.push(`${relative(root, file)} -> ${spec} (core imports only zod)`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
