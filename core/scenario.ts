import { z } from "zod";
import { DurationMs } from "./duration.ts";
import { FaultSpec } from "./fault-spec.ts";
import { nodesWithoutDataVolume } from "./fault-specs/disk.ts";
import { linkFaultProblems } from "./fault-specs/link.ts";
import { selectorPool } from "./selector.ts";
import { SloSpec } from "./slo-spec.ts";
import { Readback, readbackFrom } from "./readback-spec.ts";
import { Topology } from "./topology.ts";
import { readYourWritesScripts, TrafficClass, trafficTargets } from "./traffic-spec.ts";


/** Steady-state gate: judged on the traffic before the first fault; failing it aborts the run (exit 4) with no fault injected. */
export const Gate = z
  .object({
    /** Every traffic class must reach this success percent before the first fault. Default 95. */
    minSuccessPercent: z.number().min(0).max(100).default(95),
    /** ...over at least this many requests per class. Default 10. */
    minRequests: z.number().int().min(0).default(10),
  })
  .strict();

/**
 * A seeded random fault schedule, materialised into the plan (and the report) before the run: faults one after
 * another, never overlapping, each a copy of one of `choices` with `at`/`for` drawn from the seed.
 */
export const RandomFaults = z
  .object({
    /** How many faults at most (fewer when the window is full). */
    count: z.number().int().min(1).max(100),
    /** Earliest start, from traffic start. */
    from: DurationMs,
    /** Latest heal, from traffic start. */
    to: DurationMs,
    minDuration: DurationMs.default(2_000),
    maxDuration: DurationMs.default(10_000),
    /** Quiet time between one heal and the next injection. Default 2 s. */
    minGap: DurationMs.default(2_000),
    /** Fault templates to draw from; their `at`, `for` and `id` are replaced by the draw. */
    choices: z.array(FaultSpec).min(1),
  })
  .strict()
  .refine((r) => r.from < r.to, { message: "from must be before to", path: ["to"] })
  .refine((r) => r.minDuration <= r.maxDuration, { message: "minDuration must not exceed maxDuration", path: ["maxDuration"] });
export type RandomFaults = z.infer<typeof RandomFaults>;

/**
 * A safety stop, kept apart from the SLOs: when it holds, no further fault is injected and every active fault is
 * healed, while traffic runs on and the SLOs are still judged on what happened (Chaos Toolkit's rollbacks,
 * Gremlin's halt conditions).
 */
export const SafetyStop = z
  .object({
    /** Traffic class watched; default every class that takes part in the gate. */
    traffic: z.string().min(1).optional(),
    /** Errors (fail + unknown) as a percent of requests in each second, at least. */
    errorPercentAtLeast: z.number().gt(0).max(100),
    /** ...for this many consecutive seconds (rounded up to whole seconds). */
    for: DurationMs.pipe(z.number().min(1_000, "expected at least 1 s")),
  })
  .strict();
export type SafetyStop = z.infer<typeof SafetyStop>;

export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case name"),
    description: z.string().default(""),
    /** Seed for every random choice; omitted: a random seed, written to the report. */
    seed: z.number().int().min(0).optional(),
    /** Names of per-run secrets (random, never printed), usable as `${secret:NAME}` in env and readback. */
    secrets: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
    topology: Topology,
    traffic: z.array(TrafficClass).min(1),
    faults: z.array(FaultSpec).default([]),
    /** A seeded random fault schedule, added to `faults`. */
    randomFaults: RandomFaults.optional(),
    readback: z.array(Readback).default([]),
    slos: z.array(SloSpec).min(1),
    gate: Gate.default({ minSuccessPercent: 95, minRequests: 10 }),
    /** Conditions that stop fault injection early (see SafetyStop). Default none. */
    safety: z.array(SafetyStop).default([]),
    /** Fault-free time at the end of traffic: every fault heals at least this long before traffic ends. Default 5 s. */
    tail: DurationMs.default(5_000),
  })
  .strict()
  .superRefine((s, ctx) => {
    const nodes = s.topology.nodes;
    const nodeNames = new Set(nodes.map((n) => n.name));
    const trafficNames = new Set<string>();
    s.traffic.forEach((t, i) => {
      if (trafficNames.has(t.name)) ctx.addIssue({ code: "custom", path: ["traffic", i, "name"], message: `duplicate traffic class "${t.name}"` });
      trafficNames.add(t.name);
      if (!s.secrets.includes(t.keySecret))
        ctx.addIssue({ code: "custom", path: ["traffic", i, "keySecret"], message: `secret "${t.keySecret}" is not declared in secrets [${s.secrets.join(", ")}]` });
      trafficTargets(t).forEach((target, j) => {
        const path = "servers" in t ? ["traffic", i, "servers", j] : ["traffic", i, "target"];
        const node = nodes.find((n) => n.name === target.node);
        if (!node) ctx.addIssue({ code: "custom", path: [...path, "node"], message: `unknown node "${target.node}"` });
        else if (!node.ports.includes(target.port))
          ctx.addIssue({ code: "custom", path: [...path, "port"], message: `port ${target.port} is not published by "${node.name}" (ports: [${node.ports.join(", ")}])` });
      });
    });
    const trafficEndMs = Math.max(...s.traffic.map((t) => t.duration));
    /** Checks a fault needs the topology for: its selector matches, its link exists, its disk targets have volumes. */
    const checkAgainstTopology = (f: FaultSpec, path: (string | number)[]) => {
      const pool = selectorPool(f.target, nodes);
      if (pool.length === 0) ctx.addIssue({ code: "custom", path: [...path, "target"], message: `selector matches no node (nodes: ${[...nodeNames].join(", ")})` });
      f.target.names?.forEach((name, j) => {
        if (!nodeNames.has(name)) ctx.addIssue({ code: "custom", path: [...path, "target", "names", j], message: `unknown node "${name}"` });
      });
      if (f.target.mode === "primary" && f.target.role && !s.topology.roles[f.target.role])
        ctx.addIssue({ code: "custom", path: [...path, "target", "role"], message: `mode "primary" needs topology.roles.${f.target.role}.primaryProbe` });
      if ("link" in f) for (const message of linkFaultProblems(f, s.topology)) ctx.addIssue({ code: "custom", path: [...path, "link"], message });
      if (f.kind === "zone-cut")
        f.zones.forEach((zone, j) => {
          if (!s.topology.networks.includes(zone))
            ctx.addIssue({ code: "custom", path: [...path, "zones", j], message: `unknown zone "${zone}"; networks: ${s.topology.networks.join(", ")}` });
        });
      if (f.kind === "disk-fill") {
        const without = nodesWithoutDataVolume(pool, s.topology);
        if (without.length > 0) ctx.addIssue({ code: "custom", path: [...path, "target"], message: `disk-fill needs nodes with a dataVolume; these have none: ${without.join(", ")}` });
      }
    };
    const faultIds = new Set<string>();
    s.faults.forEach((f, i) => {
      const id = f.id ?? `${f.kind}-${i}`;
      if (faultIds.has(id)) ctx.addIssue({ code: "custom", path: ["faults", i, "id"], message: `duplicate fault id "${id}"` });
      faultIds.add(id);
      checkAgainstTopology(f, ["faults", i]);
      if (f.at >= trafficEndMs)
        ctx.addIssue({ code: "custom", path: ["faults", i, "at"], message: `fault at ${f.at} ms is not before the end of traffic (${trafficEndMs} ms)` });
      if (f.for !== undefined && f.at + f.for > trafficEndMs - s.tail)
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, "for"],
          message: `fault heals at ${f.at + f.for} ms, later than the end of traffic (${trafficEndMs} ms) minus the fault-free tail (${s.tail} ms)`,
        });
    });
    if (s.randomFaults) {
      const r = s.randomFaults;
      if (r.to > trafficEndMs - s.tail)
        ctx.addIssue({ code: "custom", path: ["randomFaults", "to"], message: `random faults must heal by ${trafficEndMs - s.tail} ms (end of traffic minus the tail)` });
      r.choices.forEach((f, i) => checkAgainstTopology(f, ["randomFaults", "choices", i]));
    }
    s.slos.forEach((slo, i) => {
      if (!trafficNames.has(slo.traffic)) ctx.addIssue({ code: "custom", path: ["slos", i, "traffic"], message: `unknown traffic class "${slo.traffic}"` });
      if (slo.kind === "convergence" && !s.readback.some((r) => r.traffic === slo.traffic && r.convergence))
        ctx.addIssue({ code: "custom", path: ["slos", i, "traffic"], message: `convergence needs a readback for traffic "${slo.traffic}" with convergence: { role } or { nodes }` });
      if (slo.kind === "lost-writes" && !s.readback.some((r) => r.traffic === slo.traffic))
        ctx.addIssue({ code: "custom", path: ["slos", i, "traffic"], message: `lost-writes needs a readback for traffic "${slo.traffic}" (add one to readback)` });
      if ("window" in slo && slo.window.kind === "interval" && slo.window.from >= slo.window.to)
        ctx.addIssue({ code: "custom", path: ["slos", i, "window"], message: "interval window needs from < to" });
      if ("window" in slo && slo.window.kind === "fault" && !faultIds.has(slo.window.fault))
        ctx.addIssue({ code: "custom", path: ["slos", i, "window", "fault"], message: `unknown fault id "${slo.window.fault}"` });
      if (slo.kind === "recovery-time" && !faultIds.has(slo.fault))
        ctx.addIssue({ code: "custom", path: ["slos", i, "fault"], message: `unknown fault id "${slo.fault}"; faults: ${[...faultIds].join(", ") || "none"}` });
      if (slo.kind === "recovery-time" && slo.stableFor < 1_000)
        ctx.addIssue({ code: "custom", path: ["slos", i, "stableFor"], message: "stableFor must be at least 1s (the timeline's resolution)" });
      const sloTraffic = s.traffic.find((t) => t.name === slo.traffic);
      if (slo.kind === "stale-reads" && sloTraffic && !readYourWritesScripts.includes(sloTraffic.script))
        ctx.addIssue({
          code: "custom",
          path: ["slos", i, "traffic"],
          message: `stale-reads needs a class that checks read-your-writes (${readYourWritesScripts.join(", ")}); "${slo.traffic}" is ${sloTraffic.script}`,
        });
    });
    const sloIds = new Set<string>();
    s.slos.forEach((slo, i) => {
      if (sloIds.has(slo.id)) ctx.addIssue({ code: "custom", path: ["slos", i, "id"], message: `duplicate SLO id "${slo.id}"` });
      sloIds.add(slo.id);
    });
    s.safety.forEach((stop, i) => {
      if (stop.traffic !== undefined && !trafficNames.has(stop.traffic))
        ctx.addIssue({ code: "custom", path: ["safety", i, "traffic"], message: `unknown traffic class "${stop.traffic}"` });
    });
    s.readback.forEach((r, i) => {
      if (!trafficNames.has(r.traffic)) ctx.addIssue({ code: "custom", path: ["readback", i, "traffic"], message: `unknown traffic class "${r.traffic}"` });
      const from = readbackFrom(r);
      const publishes = (node: string, path: (string | number)[]) => {
        const spec = nodes.find((n) => n.name === node);
        if (!spec) ctx.addIssue({ code: "custom", path, message: `unknown node "${node}"; nodes: ${[...nodeNames].join(", ")}` });
        else if (!spec.ports.includes(r.port)) ctx.addIssue({ code: "custom", path, message: `node "${node}" does not publish port ${r.port} (ports: [${spec.ports.join(", ")}])` });
      };
      if (r.node !== undefined && r.from !== undefined) ctx.addIssue({ code: "custom", path: ["readback", i, "from"], message: "give node or from, not both" });
      if (!from) ctx.addIssue({ code: "custom", path: ["readback", i, "node"], message: 'expected node (a node name) or from ({ node } or { primaryOf: role })' });
      else if ("node" in from) publishes(from.node, ["readback", i, r.from ? "from" : "node"]);
      else if (!s.topology.roles[from.primaryOf]) ctx.addIssue({ code: "custom", path: ["readback", i, "from", "primaryOf"], message: `reading the primary of "${from.primaryOf}" needs topology.roles.${from.primaryOf}.primaryProbe` });
      else nodes.filter((n) => n.role === from.primaryOf).forEach((n) => publishes(n.name, ["readback", i, "from", "primaryOf"]));
      const c = r.convergence;
      if (c && "nodes" in c) c.nodes.forEach((n, j) => publishes(n, ["readback", i, "convergence", "nodes", j]));
      if (c && "role" in c) {
        const members = nodes.filter((n) => n.role === c.role);
        if (members.length < 2) ctx.addIssue({ code: "custom", path: ["readback", i, "convergence", "role"], message: `convergence needs at least 2 nodes of role "${c.role}", found ${members.length}` });
        members.forEach((n) => publishes(n.name, ["readback", i, "convergence", "role"]));
      }
    });
    const secretRefs = JSON.stringify(s).matchAll(/\$\{secret:([^}]*)\}/g);
    for (const [, name] of secretRefs)
      if (!s.secrets.includes(name!)) ctx.addIssue({ code: "custom", path: ["secrets"], message: `\${secret:${name}} is used but "${name}" is not declared in secrets` });
  });
export type Scenario = z.infer<typeof Scenario>;
/** What a scenario file exports: durations may be typed strings, defaults may be left out. */
export type ScenarioInput = z.input<typeof Scenario>;

/** Fault id as reports and SLO windows name it. */
export function faultId(fault: FaultSpec, index: number): string {
  return fault.id ?? `${fault.kind}-${index}`;
}
