import type { ShardSpec } from "./shard.ts";

/**
 * "20250101-021700-nightly": sortable, one per suite run. A shard's carries its place, "...-nightly-shard-2-of-3", so
 * shards run side by side (or one after another in one reports folder) never share a directory, and the merged
 * suite takes the plain name.
 */
export function newSuiteId(name: string, startedAt: Date, shard: ShardSpec | null = null): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${name}${shard === null ? "" : `-shard-${shard.index}-of-${shard.total}`}`;
}
