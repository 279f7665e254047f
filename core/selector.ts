import { z } from "zod";
import type { Rng } from "./rng.ts";

/** How many of the pool a selector takes (see `Selector.mode`). */
export const SelectorMode = z.enum(["one", "all", "minority", "majority", "percent", "primary"]);
export type SelectorMode = z.infer<typeof SelectorMode>;

/**
 * Which nodes a fault hits. The pool is `names`, else the nodes with `role`, else every node;
 * `mode` picks from the pool with the run's seeded Rng (Chaos Mesh modes, Jepsen node specs).
 */
export const Selector = z
  .object({
    /** Fixed node names forming the pool. Without a `mode`, all of them are taken. */
    names: z.array(z.string().min(1)).min(1).optional(),
    /** Nodes whose topology role equals this form the pool (with `names` only for mode "primary": the primary among them). */
    role: z.string().min(1).optional(),
    /**
     * How many of the pool: one, all, a strict minority (a pool of at least 3), a majority, a percent (rounded up,
     * at least 1), or the current primary of `role` (found at injection time by the topology's role probe).
     * Default: "all" when `names` are given (naming nodes is choosing them: `{ names: ["app-2", "db"] }` once
     * silently meant one of the two, and turned a partition into a partition of one node), else "one".
     */
    mode: SelectorMode.optional(),
    /** With mode "percent": 1..100. */
    percent: z.number().gt(0).lte(100).optional(),
  })
  .strict()
  .transform(({ mode, ...rest }) => ({ ...rest, mode: mode ?? (rest.names ? "all" : "one") }))
  .refine((s) => s.mode !== "percent" || s.percent !== undefined, {
    message: 'mode "percent" needs a percent (1..100)',
    path: ["percent"],
  })
  .refine((s) => s.mode !== "primary" || s.role !== undefined, { message: 'mode "primary" needs a role', path: ["role"] })
  .refine((s) => !(s.names && s.role) || s.mode === "primary", {
    message: 'give names or role, not both: the pool is the names and the role would be ignored (both together only with mode "primary": the primary among the names)',
    path: ["role"],
  })
  .refine((s) => s.percent === undefined || s.mode === "percent", { message: 'percent is used only with mode "percent"; add mode: "percent"', path: ["percent"] });
export type Selector = z.infer<typeof Selector>;
export type SelectorInput = z.input<typeof Selector>;

export interface SelectableNode {
  name: string;
  role?: string | undefined;
}

/** The pool a selector draws from, in topology order. Empty means the selector matches nothing. */
export function selectorPool(selector: Selector, nodes: readonly SelectableNode[]): string[] {
  if (selector.names) return nodes.filter((n) => selector.names!.includes(n.name)).map((n) => n.name);
  if (selector.role) return nodes.filter((n) => n.role === selector.role).map((n) => n.name);
  return nodes.map((n) => n.name);
}

/** How many nodes the mode takes from a pool of `poolSize`. */
export function selectionCount(selector: Selector, poolSize: number): number {
  switch (selector.mode) {
    case "one":
      return Math.min(1, poolSize);
    case "all":
      return poolSize;
    case "minority":
      // Strictly fewer than half; a pool of 1 or 2 has no strict minority, so take one node.
      return poolSize <= 2 ? Math.min(1, poolSize) : Math.ceil(poolSize / 2) - 1;
    case "majority":
      return Math.min(poolSize, Math.floor(poolSize / 2) + 1);
    case "percent":
      return Math.min(poolSize, Math.max(1, Math.ceil((poolSize * (selector.percent ?? 100)) / 100)));
    case "primary":
      // Resolved at injection: the plan keeps the whole role as candidates.
      return poolSize;
  }
}

/** Resolves a selector to node names, in topology order; random picks come from `rng`. */
export function selectNodes(selector: Selector, nodes: readonly SelectableNode[], rng: Rng): string[] {
  const pool = selectorPool(selector, nodes);
  const count = selectionCount(selector, pool.length);
  if (count >= pool.length) return pool;
  const picked = new Set(rng.shuffle(pool).slice(0, count));
  return pool.filter((name) => picked.has(name));
}

/**
 * What a selector resolves to over its pool, for messages: `resolves to 1 node: one of [app-2, db] (mode "one")`,
 * `resolves to [app-2, db]`.
 */
export function describeSelection(selector: Selector, pool: readonly string[]): string {
  const count = selectionCount(selector, pool.length);
  const list = `[${pool.join(", ")}]`;
  if (selector.mode === "primary") return `resolves to the primary of "${selector.role}" among ${list} (mode "primary")`;
  if (count >= pool.length) return `resolves to ${list}`;
  return `resolves to ${count} ${count === 1 ? "node" : "nodes"}: ${count === 1 ? "one" : count} of ${list} (mode "${selector.mode}")`;
}
