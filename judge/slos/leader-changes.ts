import type { History, LeaderChange } from "../../core/history.ts";

/**
 * The first change of leader at or after `anchorMs` that puts a node in charge that did not lead just before the
 * anchor (a failover), or undefined. Leaderless samples in between are skipped: they are the election itself.
 */
export function failoverAfter(history: Pick<History, "probes">, anchorMs: number): { change: LeaderChange; before: string[] } | undefined {
  const changes = history.probes?.leaderChanges ?? [];
  for (const probe of new Set(changes.map((c) => c.probe))) {
    const own = changes.filter((c) => c.probe === probe);
    const before = [...own].reverse().find((c) => c.atMs < anchorMs)?.leaders ?? [];
    const change = own.find((c) => c.atMs >= anchorMs && c.leaders.length > 0 && c.leaders.some((n) => !before.includes(n)));
    if (change) return { change, before };
  }
  return undefined;
}

/** "leader of db pg-1 -> pg-2 at 29.712 s (9.601 s after the fault)" */
export function describeFailover(found: { change: LeaderChange; before: string[] }, anchorMs: number): string {
  const from = found.before.length === 0 ? "none" : found.before.join(" + ");
  const ms = found.change.atMs;
  return `leader of ${found.change.role} ${from} -> ${found.change.leaders.join(" + ")} seen at ${(ms / 1000).toFixed(3)} s (${((ms - anchorMs) / 1000).toFixed(3)} s after the fault, sampled every probe interval)`;
}
