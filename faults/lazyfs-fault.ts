import { open, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { IssuePath, Report, ScenarioView } from "../core/scenario-view.ts";
import { selectorPool } from "../core/selector.ts";
import type { Selector } from "../core/selector.ts";
import type { LazyFsMount } from "../env/disks/lazyfs.ts";
import { lazyFsVolume } from "../env/disks/lazyfs-volume.ts";
import type { FaultContext } from "./fault.ts";
import { z } from "zod";

export type LazyFsFaultTarget = LazyFsMount;

/** Globs relative to the data volume's root, as lazyfs matches them (see matchLazyFsGlob). Default ["**"]: every file. */
export const lazyFsGlobs = z
  .array(z.string().min(1).regex(/^[^\s/][^\s]*$/, "must be relative to the data volume's root (no leading '/') and contain no whitespace"))
  .min(1)
  .max(16)
  .default(["**"]);

/**
 * Faults that act through a node's lazyfs data volume (power-loss, io-error, io-latency): the check that refuses a
 * target without one before anything starts, naming the field, and the lookup of the run's live mounts.
 */
export function checkLazyFsTargets(kind: string, what: string, target: Selector, view: ScenarioView, report: Report, path: IssuePath): void {
  if (!view.topology || !view.nodesComplete || target.names?.some((name) => !view.nodes?.has(name))) return;
  const pool = selectorPool(target, view.topology.nodes);
  const without = pool.filter((name) => view.topology!.nodes.find((n) => n.name === name)?.dataVolume?.kind !== "lazyfs");
  if (pool.length > 0 && without.length > 0)
    report([...path, "target"], `${kind} needs nodes whose dataVolume.kind is "lazyfs" (${what}); these have none: ${without.join(", ")}`);
}

/** The lazyfs mount of each target; throws naming the node when one has none (the check should have refused it). */
export function lazyFsVolumesOf(ctx: FaultContext, kind: string, targets: readonly string[]): LazyFsMount[] {
  return targets.map((t) => {
    const volume = lazyFsVolume(ctx.topology.runId, t);
    if (ctx.topology.node(t).spec.dataVolume?.kind !== "lazyfs" || !volume)
      throw new Error(`${kind}: node "${t}" has no lazyfs data volume mounted by this run; give it dataVolume: { kind: "lazyfs", ... }`);
    return volume;
  });
}

/**
 * lazyfs's glob (env/go/lazyfs/glob.go), for picking a probe file: `*` within one path segment, `**` across
 * segments (`**` followed by `/` also matches nothing), `?` one character but not `/`.
 */
export function matchLazyFsGlob(pattern: string, name: string): boolean {
  if (pattern.length === 0) return name.length === 0;
  if (pattern.startsWith("**")) {
    const rest = pattern.slice(2);
    if (rest.startsWith("/") && matchLazyFsGlob(rest.slice(1), name)) return true;
    for (let k = 0; k <= name.length; k++) if (matchLazyFsGlob(rest, name.slice(k))) return true;
    return false;
  }
  if (pattern[0] === "*") {
    const rest = pattern.slice(1);
    for (let k = 0; k <= name.length; k++) {
      if (matchLazyFsGlob(rest, name.slice(k))) return true;
      if (k < name.length && name[k] === "/") return false;
    }
    return false;
  }
  if (name.length === 0) return false;
  if (pattern[0] === "?" ? name[0] === "/" : name[0] !== pattern[0]) return false;
  return matchLazyFsGlob(pattern.slice(1), name.slice(1));
}

/** How many directory entries a probe-file search looks at, at most (a data directory can hold thousands). */
const PROBE_SEARCH_LIMIT = 5_000;

/** A regular file under `mountDir` whose relative path matches one of `globs`; undefined when none. */
export async function probeFile(mountDir: string, globs: readonly string[]): Promise<string | undefined> {
  const queue = [mountDir];
  let seen = 0;
  while (queue.length > 0 && seen < PROBE_SEARCH_LIMIT) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (++seen > PROBE_SEARCH_LIMIT) break;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) queue.push(full);
      else if (entry.isFile() && globs.some((g) => matchLazyFsGlob(g, relative(mountDir, full)))) return full;
    }
  }
  return undefined;
}

/**
 * One read of 1 byte at offset 0 of `file` on a fresh descriptor (a fresh open drops lazyfs's cached pages, so the
 * read reaches the daemon and its rules). Reads change nothing on the volume. Returns ms taken and the error code.
 */
export async function probeRead(file: string): Promise<{ ms: number; code?: string }> {
  const started = performance.now();
  try {
    const handle = await open(file, "r");
    try {
      await handle.read(Buffer.alloc(1), 0, 1, 0);
    } finally {
      await handle.close();
    }
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, code: (error as NodeJS.ErrnoException).code ?? "unknown" };
  }
}
