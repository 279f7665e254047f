import { z } from "zod";
import { DurationMs, boundedDuration } from "./duration.ts";
import { NodeName } from "./topology-names.ts";

/**
 * The system's own signals, sampled on the run clock while traffic runs (Jepsen's perf graphs, the availability
 * lecture's monitoring plots): which node leads, replication lag, cluster state. Samples and leader changes go into
 * the History and are drawn under the traffic. Probes only look; they never change the system.
 */

/** One check of one node: a command inside it, or an HTTP GET on its published 127.0.0.1 port. */
export const ProbeCheck = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("exec"),
      command: z.array(z.string()).min(1),
      /** For a leader probe: the node leads when the command exits 0 and, if given, its trimmed output equals this. */
      expect: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("http"),
      port: z.number().int().min(1).max(65535),
      path: z.string().startsWith("/").default("/"),
      /** For a leader probe: the status that means "leads". Default 200. */
      status: z.number().int().default(200),
    })
    .strict(),
]);
export type ProbeCheck = z.infer<typeof ProbeCheck>;

const nodes = {
  /** Nodes probed: every node of `role`, or the listed nodes. */
  role: z.string().min(1).optional(),
  nodes: z.array(NodeName).min(1).optional(),
};

/**
 * Which nodes of a role lead right now, asked of every node of the role each interval. A change of the set is a
 * `leader-change` event in the History (two nodes at once is a split brain, and shows as such). Without `check`,
 * the role's `primaryProbe` (topology.roles) is used.
 */
export const LeaderProbe = z
  .object({
    kind: z.literal("leader"),
    /** Name in reports; default `leader-<role>`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).optional(),
    role: z.string().min(1),
    check: ProbeCheck.optional(),
  })
  .strict();

/**
 * A numeric signal per node: the check's output (exec stdout or HTTP body) is read line by line as
 * `<series> <number>` or `<series> <number> <state>`, e.g. `lag_bytes:db-2 1048576` or `lag_s 12.5 disconnected`;
 * each series is one line in the report's chart of this probe, a sample the node did not give is a gap in it, and
 * a state is drawn as a band over the time it held.
 */
export const SeriesProbe = z
  .object({
    kind: z.literal("series"),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
    ...nodes,
    check: ProbeCheck,
    /** Unit of the values, for the chart's axis, e.g. "bytes", "s". */
    unit: z.string().min(1),
  })
  .strict()
  .refine((p) => (p.role === undefined) !== (p.nodes === undefined), { message: "give exactly one of role or nodes", path: ["role"] });

export const ProbeSpec = z.discriminatedUnion("kind", [LeaderProbe, SeriesProbe]);
export type ProbeSpec = z.infer<typeof ProbeSpec>;
export type ProbeSpecInput = z.input<typeof ProbeSpec>;

/** Sampling settings of a topology's probes. */
export const ProbeSettings = z
  .object({
    /** Time between two samples of one probe. Default 1 s. */
    interval: boundedDuration({ minMs: 200 }).default(1_000),
    /** Deadline of one check on one node; a check that overruns is a missing sample. Default 1.5 s. */
    timeout: DurationMs.default(1_500),
  })
  .strict();

/** Name a probe reports under. */
export function probeName(probe: ProbeSpec): string {
  return probe.kind === "leader" ? (probe.name ?? `leader-${probe.role}`) : probe.name;
}
