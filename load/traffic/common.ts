import { z } from "zod";
import { DurationMs, boundedDuration } from "../../core/duration.ts";
import { NodeName } from "../../core/topology.ts";

/** Where traffic goes: a node's container port, reached through its 127.0.0.1 published port. */
export const TrafficTarget = z.object({ node: NodeName, port: z.number().int().min(1).max(65535) }).strict();
export type TrafficTarget = z.infer<typeof TrafficTarget>;

/** How long a class runs: at least 1 s, at most 24 h. */
export const TrafficDuration = boundedDuration({ minMs: 1_000, maxMs: 86_400_000 });

/** Fields every traffic class has, whatever drives it. */
export const trafficBaseFields = {
  /** Name used by SLOs and reports, e.g. "devices". */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a lower-case name"),
  /** How long this class runs; at least 1 s, at most 24 h. */
  duration: TrafficDuration,
  /** Per-request (browser: per-step) timeout; a timeout is an unknown outcome. Default 2 s. */
  requestTimeout: DurationMs.default(2_000),
  /**
   * Whether the steady-state gate judges this class (its success % before the first fault). Default true; a class
   * whose requests are meant to be refused (an abusive client) sets false.
   */
  gate: z.boolean().default(true),
};

/** A script or journey module, relative to the scenario file (the loader makes it absolute). */
export const moduleFile = (what: string) => z.string().min(1).regex(/\.(ts|mts|js|mjs)$/, `expected a .ts, .mts, .js or .mjs ${what}`);
