import { z } from "zod";
import { DurationMs } from "../core/duration.ts";
import { errorConditionFields } from "../core/error-condition.ts";
import { FaultSpec } from "../faults/registry.ts";
import { FaultGenerator } from "./fault-generator.ts";
import { runScenarioChecks } from "./scenario-checks.ts";
import { SloSpec } from "../judge/slo-kinds.ts";
import { Readback } from "../env/readback/registry.ts";
import { Topology } from "../core/topology.ts";
import { Hosts } from "../core/hosts.ts";
import { TrafficClass } from "../load/traffic/registry.ts";


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
export const SafetyStop = z.object({ ...errorConditionFields }).strict();
export type SafetyStop = z.infer<typeof SafetyStop>;

export const Scenario = z
  .object({
    /** Lower-case letters, digits and '-', e.g. "checkout-db-crash": suites key their history on it. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case name of letters, digits and '-'"),
    description: z.string().default(""),
    /** Seed for every random choice; omitted: a random seed, written to the report. */
    seed: z.number().int().min(0).optional(),
    /** Names of per-run secrets (random, never printed), usable as `${secret:NAME}` in env and readback. */
    secrets: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
    /**
     * Docker engines on other machines, by name (core/hosts.ts): nodes are placed on them with `host` or the
     * topology's `spread`, load generators with a k6 class's `generators`. Default none: everything runs on this
     * machine's engine ("local"). `havoc run --host NAME=ENGINE` adds one or replaces its engine.
     */
    hosts: Hosts,
    topology: Topology,
    traffic: z.array(TrafficClass).min(1),
    faults: z.array(FaultSpec).default([]),
    /** A seeded random fault schedule, added to `faults`. */
    randomFaults: RandomFaults.optional(),
    /**
     * A seeded fault generator (docs/explore.md): faults drawn from a weighted `mix` of templates, overlapping up to
     * `maxConcurrent`, inside `phases` and `limits`; added to `faults`. Validated against the topology before
     * anything starts; the drawn faults ("gen-<i>-<kind>") are written to the plan in report.json.
     */
    faultGenerator: FaultGenerator.optional(),
    readback: z.array(Readback).default([]),
    slos: z.array(SloSpec).min(1),
    gate: Gate.default({ minSuccessPercent: 95, minRequests: 10 }),
    /** Conditions that stop fault injection early (see SafetyStop). Default none. */
    safety: z.array(SafetyStop).default([]),
    /** Fault-free time at the end of traffic: every fault heals at least this long before traffic ends. Default 5 s. */
    tail: DurationMs.default(5_000),
    /**
     * Labels that suites select by (`havoc suite --tag gate`), e.g. the reference system's name, `gate` (the
     * pre-release gate), `control`, `slow`. Lower-case words. Default none.
     */
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lower-case tag of letters, digits and '-'")).default([]),
    /**
     * The verdict this scenario is built to reach. "pass" (default): the system keeps its SLOs. "fail": a control
     * that proves the harness catches a fault (e.g. killing every app node must fail availability); a suite counts
     * it as passed when it FAILS and flags it loudly when it passes. `havoc run` still reports the raw verdict.
     */
    expect: z.enum(["pass", "fail"]).default("pass"),
    /**
     * For a control (`expect: "fail"`): the ids of the SLOs it must fail. A control is right only when each of
     * them fails; its other SLOs are judged as usual (a control that also loses writes still fails the suite).
     * Empty (default): any failed SLO makes the control right.
     */
    expectFailing: z.array(z.string()).default([]),
  })
  .strict()
  // Cross-references between the parts (scenario/scenario-checks.ts); validateScenario runs the same checks on the
  // parts that parsed when others did not, so every problem of a file is reported at once. zod runs this refinement
  // also when a part failed a bound (traffic: [] or a duration too short), on the value as written: validateScenario
  // drops what it found then (tagged crossReference), as the salvaged checks say it without the follow-on errors.
  .superRefine((s, ctx) => runScenarioChecks(s, (path, message) => ctx.addIssue({ code: "custom", path, message, params: { crossReference: true } })));
export type Scenario = z.infer<typeof Scenario>;
/** What a scenario file exports: durations may be typed strings, defaults may be left out. */
export type ScenarioInput = z.input<typeof Scenario>;

export { faultId } from "../faults/registry.ts";
