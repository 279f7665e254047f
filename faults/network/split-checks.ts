import { nearest } from "../../core/did-you-mean.ts";
import { describeSelection, selectionCount, selectorPool } from "../../core/selector.ts";
import { TOXIPROXY_NODE, type Topology } from "../../core/topology.ts";
import type { IssuePath, Report, ScenarioView } from "../../core/scenario-view.ts";
import type { IsolateFault } from "../network-isolate.ts";
import type { PartitionFault } from "../network-partition.ts";
import type { ZoneCutFault } from "../network-zone-cut.ts";

/** A problem found before the start, at `path` inside the fault. */
export interface FaultProblem {
  path: (string | number)[];
  message: string;
}

type SplitFault = IsolateFault | PartitionFault | ZoneCutFault;

/**
 * Scenario-level checks of the network faults that need two sides (the fault schema alone cannot see the topology):
 * a partition whose target cannot fill its groups, a zone cut whose targets lack a side (or lack one for some seeds),
 * an isolation with nobody left to cut the targets from. Each would otherwise fail only at injection, mid-run, as
 * exit 3; here it is refused before the start, naming the nodes the selector resolves to.
 */
export function networkSplitProblems(fault: { kind: string }, topology: Pick<Topology, "nodes" | "networks"> & { links?: readonly unknown[] }): FaultProblem[] {
  const f = fault as SplitFault;
  if (f.kind !== "isolate" && f.kind !== "partition" && f.kind !== "zone-cut") return [];
  const pool = selectorPool(f.target, topology.nodes);
  // An unknown name or an empty pool is reported by the selector checks; a count over a wrong pool would only add noise.
  if (pool.length === 0 || f.target.names?.some((name) => !topology.nodes.some((n) => n.name === name))) return [];
  const count = selectionCount(f.target, pool.length);
  const resolved = describeSelection(f.target, pool);
  if (f.kind === "isolate") {
    if (count < topology.nodes.length || f.target.mode === "primary") return [];
    return [{ path: ["target"], message: `isolate cuts its targets from the other nodes, but its target ${resolved}, every node of the topology: nobody is left to cut them from` }];
  }
  if (f.kind === "partition") {
    if (Array.isArray(f.groups)) return unknownGroupNodes(f.groups, topology);
    if (f.target.mode === "primary") return [{ path: ["target", "mode"], message: 'a partition splits its targets into groups, and mode "primary" gives one node; to cut the primary off, use kind "isolate"' }];
    const need = f.groups.mode === "bridge" ? 3 : 2;
    if (count >= need) return [];
    // Taking more of the pool helps only when the pool is big enough; a pool of one node needs another selector.
    if (pool.length >= need) return [{ path: ["target"], message: `partition ${f.groups.mode} needs at least ${need} nodes to split, but its target ${resolved}; give mode "all"` }];
    const listed = `[${pool.join(", ")}]`;
    const needs = `partition ${f.groups.mode} needs at least ${need} nodes to split`;
    const everyNode = "leave target out to split every node of the topology";
    const message = f.target.names
      ? `${needs}, and its target names only ${pool.length}, ${listed}: name at least ${need}, or ${everyNode}`
      : f.target.role !== undefined
        ? `${needs}, and its target's role "${f.target.role}" has ${pool.length === 1 ? "only one node" : `only ${pool.length} nodes`}, ${listed}: ${everyNode}, or name at least ${need} nodes`
        : `${needs}, and the topology has only ${pool.length}, ${listed}: a partition needs more nodes; to cut one node off, use kind "isolate"`;
    return [{ path: ["target"], message }];
  }
  const [zoneA, zoneB] = f.zones;
  if (!topology.networks.includes(zoneA) || !topology.networks.includes(zoneB)) return [];
  if (f.target.mode === "primary") return [{ path: ["target", "mode"], message: 'a zone cut needs nodes of both zones, and mode "primary" gives one node' }];
  const zonesOf = (name: string) => topology.nodes.find((n) => n.name === name)?.networks ?? [topology.networks[0]!];
  const onlyA = pool.filter((n) => zonesOf(n).includes(zoneA) && !zonesOf(n).includes(zoneB));
  const onlyB = pool.filter((n) => zonesOf(n).includes(zoneB) && !zonesOf(n).includes(zoneA));
  const sides = `${zoneA} only: ${onlyA.join(", ") || "none"}; ${zoneB} only: ${onlyB.join(", ") || "none"}`;
  if (onlyA.length === 0 || onlyB.length === 0)
    return [{ path: ["target"], message: `zone-cut ${zoneA} | ${zoneB} needs nodes only in ${zoneA} and nodes only in ${zoneB}, but its target ${resolved} (${sides}): nothing to cut` }];
  // A draw of `count` of the pool always holds both sides only if neither side's complement can hold all `count`.
  if (count > pool.length - onlyA.length && count > pool.length - onlyB.length) return [];
  return [{ path: ["target"], message: `zone-cut ${zoneA} | ${zoneB} splits only for some seeds: its target ${resolved} (${sides}), which may miss a zone; give mode "all"` }];
}

function unknownGroupNodes(groups: readonly (readonly string[])[], topology: Pick<Topology, "nodes"> & { links?: readonly unknown[] }): FaultProblem[] {
  // A topology with links gets the links' own node, which a partition may cut like any other (e.g. a WAN's only path).
  const names = [...topology.nodes.map((n) => n.name), ...((topology.links?.length ?? 0) > 0 ? [TOXIPROXY_NODE] : [])];
  return groups.flatMap((group, i) =>
    group.flatMap((name, j) => {
      if (names.includes(name)) return [];
      const meant = nearest(name, names);
      return [{ path: ["groups", i, j], message: `unknown node "${name}"${meant ? `; did you mean "${meant}"?` : ";"} nodes: ${names.join(", ")}` }];
    }),
  );
}

/** The check every cutting fault kind (isolate, partition, zone-cut) shares: it must have two sides to cut. */
export function checkSplit(spec: SplitFault, view: ScenarioView, report: Report, path: IssuePath): void {
  if (!view.topology || !view.nodesComplete) return;
  for (const problem of networkSplitProblems(spec, view.topology)) report([...path, ...problem.path], problem.message);
}
