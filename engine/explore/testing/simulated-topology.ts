import type { Rng } from "../../../core/rng.ts";
import type { GeneratorNode } from "../../../scenario/generator/down-limits.ts";

/** A fault template as the tests write it: a kind and a selector shaped like the project's (names/role, mode). */
export interface TestTemplate {
  kind: string;
  target: { names?: string[]; role?: string; mode?: "one" | "all" | "majority" | "minority" };
}

/** A load balancer, three app nodes, three database nodes and a load generator that must never be hit. */
export const TEST_NODES: readonly GeneratorNode[] = [
  { name: "lb", role: "lb" },
  { name: "app-1", role: "app" },
  { name: "app-2", role: "app" },
  { name: "app-3", role: "app" },
  { name: "db-1", role: "db" },
  { name: "db-2", role: "db" },
  { name: "db-3", role: "db" },
  { name: "loadgen", role: "load" },
];

const DOWN_KINDS = new Set(["kill", "stop", "pause", "isolate"]);

export function testEffect(template: TestTemplate): { downs: boolean } {
  return { downs: DOWN_KINDS.has(template.kind) };
}

/** Selector resolution as the project does it: the pool by names or role, then a seeded pick of the mode's count. */
export function testResolveTargets(template: TestTemplate, rng: Rng, nodes: readonly GeneratorNode[]): string[] {
  const { names, role, mode = names ? "all" : "one" } = template.target;
  const pool = nodes.filter((n) => (names ? names.includes(n.name) : role === undefined || n.role === role)).map((n) => n.name);
  const count = { one: Math.min(1, pool.length), all: pool.length, majority: Math.min(pool.length, Math.floor(pool.length / 2) + 1), minority: pool.length <= 2 ? Math.min(1, pool.length) : Math.ceil(pool.length / 2) - 1 }[mode];
  const picked = new Set(rng.shuffle(pool).slice(0, count));
  return pool.filter((name) => picked.has(name));
}

/** A clock the tests move by hand: runs "take" simulated wall time without sleeping. */
export function fakeClock(startMs = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
