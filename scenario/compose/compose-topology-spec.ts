import { z } from "zod";
import { Milliseconds } from "../../core/duration.ts";
import { ProbeSettings, ProbeSpec } from "../../core/probe-spec.ts";
import { NodeName } from "../../core/topology-names.ts";
import { DataVolume, LinkSpec, ReadyProbe, Topology } from "../../core/topology.ts";

/**
 * A topology read from the user's compose file (env/compose/), with what compose cannot say added on top: roles,
 * links through toxiproxy, data volumes, memory limits. Written in a scenario as `topology: { compose: "...", ... }`;
 * the scenario loader turns it into a plain Topology before validation.
 */

/** What the scenario adds to, or changes in, one compose service. */
export const ComposeNodeOverrides = z
  .object({
    /** Group used by selectors and SLOs, e.g. "app", "db". */
    role: z.string().min(1).optional(),
    /** Merged over the service's environment (same key: this value wins). */
    env: z.record(z.string(), z.string()).optional(),
    /** Replaces the probe made from the service's healthcheck. */
    ready: ReadyProbe.optional(),
    readyTimeoutMs: Milliseconds.optional(),
    /** Container ports published besides the service's own (e.g. a database's, for a readback from it). */
    ports: z.array(z.number().int().min(1).max(65535)).optional(),
    memoryMb: z.number().int().positive().optional(),
    dataVolume: DataVolume.optional(),
  })
  .strict();
export type ComposeNodeOverrides = z.infer<typeof ComposeNodeOverrides>;

export const ComposeTopology = z
  .object({
    /** The compose file, relative to the scenario file. */
    compose: z.string().min(1),
    /** Only these services become nodes. Default every service. */
    services: z.array(z.string().min(1)).min(1).optional(),
    /** Per service name: what the scenario adds (roles, data volumes, ...). */
    nodes: z.record(z.string(), ComposeNodeOverrides).default({}),
    links: z.array(LinkSpec).default([]),
    roles: Topology.shape.roles,
    probes: z.array(ProbeSpec).default([]),
    probeSettings: ProbeSettings.optional(),
  })
  .strict();
export type ComposeTopology = z.infer<typeof ComposeTopology>;
export type ComposeTopologyInput = z.input<typeof ComposeTopology>;

/** True when a scenario's `topology` is a compose reference rather than a plain topology. */
export function isComposeTopology(value: unknown): value is { compose: unknown } {
  return typeof value === "object" && value !== null && "compose" in value;
}

export { NodeName };
