import { z } from "zod";
import { DurationMs } from "./duration.ts";
import { NodeName } from "./topology.ts";

/** Where traffic goes: a node's container port, reached through its 127.0.0.1 published port. */
export const TrafficTarget = z.object({ node: NodeName, port: z.number().int().min(1).max(65535) }).strict();

/** A class of traffic driven by one built-in k6 script (load/k6/<script>.ts). */
export const TrafficClass = z
  .object({
    /** Name used by SLOs and reports, e.g. "devices". */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a lower-case name"),
    /** Built-in k6 script: "device-fleet" posts readings with per-device API keys. */
    script: z.enum(["device-fleet"]),
    target: TrafficTarget,
    /** Open model: iterations started per second (k6 constant-arrival-rate). */
    ratePerSecond: z.number().int().positive().max(10_000),
    /** How long k6 drives this class; at least 1 s, at most 24 h. */
    duration: DurationMs.pipe(z.number().min(1_000, "expected at least 1 s").max(86_400_000, "expected at most 24 h")),
    /** Distinct devices (API keys). Default 50. */
    devices: z.number().int().positive().max(100_000).default(50),
    /** Per-request timeout; a timeout is an unknown outcome. Default 2 s. */
    requestTimeout: DurationMs.default(2_000),
    /** Name of the scenario secret from which each device's API key is derived. Default "device-key". */
    keySecret: z.string().default("device-key"),
    /** Upper bound of k6 VUs for the arrival rate. Default 200. */
    maxVUs: z.number().int().positive().max(5_000).default(200),
  })
  .strict();
export type TrafficClass = z.infer<typeof TrafficClass>;
