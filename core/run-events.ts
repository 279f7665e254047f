import { z } from "zod";
import { ContainerEvent, LeaderChange, TimelineBucket } from "./history.ts";

/**
 * Lines of events.ndjson, written and flushed as the run goes so a killed run still leaves its record.
 * Every line also carries `wall` (ISO time) and `atMs` (ms from traffic start, null before traffic).
 */
export const RunEventBody = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("run-started"),
    runId: z.string(),
    scenario: z.string(),
    file: z.string(),
    seed: z.number(),
    pid: z.number(),
    /** The scenario's tags and expected verdict, so a report rebuilt from the events keeps them (older logs lack them). */
    tags: z.array(z.string()).optional(),
    expect: z.enum(["pass", "fail"]).optional(),
    expectFailing: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal("phase"), phase: z.string() }),
  z.object({
    type: z.literal("plan"),
    faults: z.array(z.object({ id: z.string(), kind: z.string(), targets: z.array(z.string()), atMs: z.number(), healAtMs: z.number() })),
  }),
  z.object({
    type: z.literal("topology-started"),
    nodes: z.record(z.string(), z.record(z.string(), z.number())),
    /** Node -> the host whose engine runs it, when any is not "local" (core/hosts.ts). */
    hosts: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("traffic-started"), originEpochMs: z.number(), classes: z.array(z.string()) }),
  z.object({ type: z.literal("container"), event: ContainerEvent }),
  z.object({ type: z.literal("gate"), passed: z.boolean(), detail: z.string() }),
  z.object({
    type: z.literal("fault-injected"),
    id: z.string(),
    kind: z.string(),
    targets: z.array(z.string()),
    calledAtMs: z.number().optional(),
    injectedAtMs: z.number(),
    mechanism: z.string(),
    notes: z.array(z.string()),
  }),
  z.object({ type: z.literal("fault-healed"), id: z.string(), calledAtMs: z.number().optional(), healedAtMs: z.number(), notes: z.array(z.string()) }),
  /** `system`: the system failed the step (a restarted node never became ready), not the harness. */
  z.object({ type: z.literal("fault-error"), id: z.string(), stage: z.enum(["inject", "heal"]), message: z.string(), system: z.boolean().optional() }),
  z.object({ type: z.literal("leader-change"), change: LeaderChange }),
  /** The harness lost control of the run: the experiment is void from `fromMs`. */
  z.object({ type: z.literal("control-lost"), fromMs: z.number().nullable(), reason: z.string() }),
  z.object({ type: z.literal("timeline"), bucket: TimelineBucket }),
  z.object({
    type: z.literal("traffic-finished"),
    traffic: z.string(),
    exitCode: z.number().nullable(),
    httpReqs: z.number(),
    droppedIterations: z.number(),
    /** Per load generator of a class with `generators`: what k6 there counted. */
    generators: z
      .array(z.object({ name: z.string(), exitCode: z.number().nullable(), httpReqs: z.number().nullable(), iterations: z.number().nullable(), droppedIterations: z.number().nullable(), opLines: z.number() }))
      .optional(),
  }),
  z.object({
    type: z.literal("readback"),
    traffic: z.string(),
    stored: z.number().nullable(),
    outcome: z.string().optional(),
    node: z.string().nullable().optional(),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal("abort"), reason: z.string() }),
  z.object({ type: z.literal("safety-stop"), reason: z.string() }),
  z.object({ type: z.literal("run-finished"), status: z.string(), verdict: z.string(), exitCode: z.number() }),
]);
export type RunEventBody = z.infer<typeof RunEventBody>;

export const RunEvent = z.intersection(z.object({ wall: z.string(), atMs: z.number().nullable() }), RunEventBody);
export type RunEvent = z.infer<typeof RunEvent>;
