import { z } from "zod";
import { nearest } from "../did-you-mean.ts";
import { NodeName, TOXIPROXY_NODE, type Topology } from "../topology.ts";
import { Selector, describeSelection, selectionCount, selectorPool } from "../selector.ts";
import { scheduled } from "./scheduled.ts";

/**
 * Network faults. Each is applied by a sidecar container in the target's network namespace (nftables and tc),
 * so target images need no tools. The rules die with the namespace: when a node restarts while the fault is
 * due, the fault is re-applied and the gap is recorded in the fault's notes.
 */

/** `target` for faults that act on a set of nodes considered together: default every node of the topology. */
const allNodes = Selector.default({ mode: "all" });

/** Cut the targets from every other node of the topology, both directions (all their addresses, every network). */
export const IsolateFault = z.object({ kind: z.literal("isolate"), ...scheduled }).strict();

/** How partition groups are computed over the considered nodes, with the run's seeded Rng. */
export const PartitionMode = z.enum([
  /** Two halves; the first has floor(n/2) nodes. */
  "halves",
  /** A strict minority (ceil(n/2)-1 nodes, at least 1) against the rest. */
  "minority-majority",
  /** Two halves plus one node (the first of the second half) that stays connected to both (Jepsen's bridge). */
  "bridge",
]);

export const PartitionGroups = z.union([
  z.object({ mode: PartitionMode }).strict(),
  /** Explicit named groups, e.g. [["app-1","db"],["app-2","app-3","lb"]]. A node may be in one group only; nodes in no group are not cut. */
  z.array(z.array(NodeName).min(1)).min(2),
]);

/**
 * Split the nodes into groups: traffic between groups is dropped, inside a group allowed.
 * `target` selects the nodes considered (default: all).
 */
export const PartitionFault = z
  .object({
    kind: z.literal("partition"),
    ...scheduled,
    target: allNodes,
    /** Computed groups (`{ mode }`) or explicit ones. Default `{ mode: "halves" }`. */
    groups: PartitionGroups.default({ mode: "halves" }),
    /**
     * "both" (default): packets between any two groups are dropped both ways. "one-way": only packets from an
     * earlier group to a later one (in the listed/computed order) are dropped; note that TCP then fails both ways
     * (the handshake needs both), while one-way datagrams still arrive from the later group.
     */
    direction: z.enum(["both", "one-way"]).default("both"),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!Array.isArray(spec.groups)) return;
    const seen = new Set<string>();
    spec.groups.flat().forEach((name) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: ["groups"], message: `node "${name}" is in more than one group` });
      seen.add(name);
    });
  });

/**
 * Cut between two zones (topology networks): nodes whose `networks` list zone A but not B are cut from nodes
 * listing B but not A, on all their addresses, both directions. Nodes on both zones are bridges and stay
 * connected; nodes on neither are untouched. `target` selects the nodes considered (default: all).
 */
export const ZoneCutFault = z
  .object({
    kind: z.literal("zone-cut"),
    ...scheduled,
    target: allNodes,
    /** The two topology network names, e.g. ["zone-a", "zone-b"]. */
    zones: z.tuple([NodeName, NodeName]).refine(([a, b]) => a !== b, "the two zones must differ"),
  })
  .strict();

/**
 * Drop a share of the target's packets. With netem in the kernel and direction "egress" without peers, a netem
 * loss qdisc; otherwise nftables `numgen random` (loopback is never touched). The mechanism is in the report.
 */
export const PacketLossFault = z
  .object({
    kind: z.literal("packet-loss"),
    ...scheduled,
    /** Percent of packets dropped, 0..100, per direction (with "both", a round trip loses 1-(1-p)^2). */
    percent: z.number().min(0).max(100),
    /** Which of the target's packets: received, sent, or both (default). */
    direction: z.enum(["ingress", "egress", "both"]).default("both"),
    /** Only packets to/from these nodes (all their addresses). Default: every peer. */
    peers: z.array(NodeName).min(1).optional(),
  })
  .strict();

/** Limit the target's egress rate with a tbf qdisc on each of its interfaces (found by address). */
export const BandwidthFault = z
  .object({
    kind: z.literal("bandwidth"),
    ...scheduled,
    /** Egress rate in kbit/s (1000 bit), e.g. 1000 for 1 mbit. */
    rateKbit: z.number().int().positive(),
    /** tbf bucket in bytes. Default: max(3200, rate/50 bytes), i.e. 20 ms of traffic, at least two full frames. */
    burstBytes: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Delay the target's egress packets with netem. Kernels without netem (like this project's machines) refuse
 * the fault at injection: use a link fault (toxiproxy) for latency there.
 */
export const LatencyFault = z
  .object({
    kind: z.literal("latency"),
    ...scheduled,
    /** Added delay in ms. */
    delayMs: z.number().min(0),
    /** Jitter in ms (uniform ±), default 0. */
    jitterMs: z.number().min(0).default(0),
  })
  .strict();

/** network faults, as members of the FaultSpec union (see core/fault-spec.ts). */
export const networkFaults = [IsolateFault, PartitionFault, ZoneCutFault, PacketLossFault, BandwidthFault, LatencyFault] as const;

/** A problem found before the start, at `path` inside the fault. */
export interface FaultProblem {
  path: (string | number)[];
  message: string;
}

type SplitFault = z.infer<typeof IsolateFault> | z.infer<typeof PartitionFault> | z.infer<typeof ZoneCutFault>;

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
    return [{ path: ["target"], message: `partition ${f.groups.mode} needs at least ${need} nodes to split, but its target ${resolved}; give mode "all" or more nodes` }];
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
