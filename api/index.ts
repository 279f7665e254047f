/**
 * `havoc`: the scenario API for scenario files in the user's own repository. Small on purpose (docs/ARCHITECTURE.md):
 * defineScenario, the input types, topology, traffic, readback and fault helpers. Everything else in the package is
 * internal and may change. k6 scripts import `havoc/k6`; test runners import `havoc/runner`.
 *
 * ```ts
 * import { defineScenario, fromCompose, k6Traffic, kill } from "havoc";
 * export default defineScenario({
 *   name: "notes-app-crash",
 *   topology: fromCompose("./compose.yaml", { nodes: { notes: { role: "app" } } }),
 *   traffic: [k6Traffic({ name: "writers", file: "./load/writers.ts", target: { node: "notes", port: 8080 }, duration: "40s" })],
 *   faults: [kill({ role: "app" }, { at: "15s", for: "10s" })],
 *   slos: [{ id: "nothing-lost", kind: "lost-writes", traffic: "writers", atMost: 0 }],
 * });
 * ```
 */
import type { ComposeNodeOverrides, ComposeTopologyInput } from "../scenario/compose/compose-topology-spec.ts";
import { checkDuration, type DurationInput, type MillisecondsInput } from "../core/duration.ts";
import type { FaultSpecInput } from "../faults/registry.ts";
import type { PostgresReadbackInput, ReadbackInput } from "../env/readback/registry.ts";
import type { ScenarioInput } from "../scenario/scenario.ts";
import type { SelectorInput } from "../core/selector.ts";
import type { ProbeSpecInput } from "../core/probe-spec.ts";
import type { SloSpecInput } from "../judge/slo-kinds.ts";
import type { LinkSpec, NodeSpecInput, Topology } from "../core/topology.ts";
import type { z } from "zod";
import type { K6Class } from "../load/traffic/k6.ts";
import type { BrowserClass } from "../load/traffic/browser.ts";
import type { TrafficTarget } from "../load/traffic/common.ts";
import type { TrafficClassInput } from "../load/traffic/registry.ts";

export { DurationText } from "../core/duration.ts";
export type { ComposeNodeOverrides, ComposeTopologyInput, DurationInput, FaultSpecInput, MillisecondsInput, NodeSpecInput, PostgresReadbackInput, ProbeSpecInput, ReadbackInput, ScenarioInput, SelectorInput, SloSpecInput };
export type TopologyInput = z.input<typeof Topology>;
export type LinkInput = z.input<typeof LinkSpec>;
export type { TrafficClassInput, TrafficTarget };
export type K6TrafficInput = z.input<typeof K6Class>;
export type BrowserTrafficInput = z.input<typeof BrowserClass>;
export type { Journey, JourneyContext, JourneyStep } from "../load/browser-journey.ts";

/**
 * A scenario as written in a file: the validated shape (core/scenario.ts) with a topology that may instead be a
 * compose reference. Paths in it (compose file, build contexts, k6 scripts) are relative to the scenario file.
 */
export type ScenarioDefinition = Omit<ScenarioInput, "topology"> & { topology: ScenarioInput["topology"] | ComposeTopologyInput };

/**
 * Types a scenario object for the editor and returns it as is; `havoc run` validates it when it loads the file
 * (every problem named with its path, before anything starts).
 */
export function defineScenario(scenario: ScenarioDefinition): ScenarioDefinition {
  return scenario;
}

/** A topology read from a compose file (relative to the scenario file), with roles, links and data volumes on top. */
export function fromCompose(composeFile: string, extras: Omit<ComposeTopologyInput, "compose"> = {}): ComposeTopologyInput {
  return { compose: composeFile, ...extras };
}

/** A TCP link through toxiproxy (target of link faults): clients use `name:port` instead of `to.node:to.port`. */
export function link(name: string, to: { node: string; port: number }, listenPort?: number): LinkInput {
  return { name, to, ...(listenPort !== undefined ? { listenPort } : {}) };
}

/** A traffic class running the user's own k6 script (see `havoc/k6` for what the script reports). */
export function k6Traffic(spec: Omit<K6TrafficInput, "script">): K6TrafficInput {
  return { script: "k6", ...spec };
}

/** People in a real browser, each journey the default export of the `journey` module (see Journey). */
export function browserTraffic(spec: Omit<BrowserTrafficInput, "script">): BrowserTrafficInput {
  return { script: "browser", ...spec };
}

/** Readback over HTTP: GET `path` on the node answers every stored id (a JSON array, or one id per line). */
export function httpReadback(spec: Omit<Extract<ReadbackInput, { kind: "http" }>, "kind">): ReadbackInput {
  return { kind: "http", ...spec };
}

/** When a fault runs: `at` from traffic start, for `for` (omitted: healed `tail` before traffic ends). */
export interface FaultTiming {
  at: DurationInput;
  for?: DurationInput;
  id?: string;
}

/** Kill the selected nodes' main process (SIGKILL unless told); heal starts them again. */
export function kill(target: SelectorInput, timing: FaultTiming, signal: Extract<FaultSpecInput, { kind: "kill" }>["signal"] = "SIGKILL"): FaultSpecInput {
  return { kind: "kill", target, ...timing, signal };
}

/** Freeze the selected nodes (cgroup freezer): alive to the kernel, silent to clients; heal unpauses. */
export function pause(target: SelectorInput, timing: FaultTiming): FaultSpecInput {
  return { kind: "pause", target, ...timing };
}

/** Cut the selected nodes off every network of the run; heal reconnects them. */
export function isolate(target: SelectorInput, timing: FaultTiming): FaultSpecInput {
  return { kind: "isolate", target, ...timing };
}

/**
 * Milliseconds of a duration as a scenario writes it (`"20s"`, `"1m30s"`, `"1500ms"`); throws with what to write
 * instead when it is none (a bare number too: `10` could be seconds or milliseconds).
 */
export function parseDuration(input: DurationInput): number {
  const checked = checkDuration(input);
  if (!checked.ok) throw new Error(checked.message);
  return checked.ms;
}

/**
 * Validates the options of a traffic (or topology) helper of your own with a zod schema, applying its defaults; on
 * bad input throws one message naming every field, e.g. `deviceFleet(devices): at ratePerSecond: expected a number`.
 */
export function parseHelperOptions<S extends z.ZodType>(schema: S, input: unknown, label: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Error(`${label}: ${result.error.issues.map((i) => `at ${i.path.map(String).join(".") || "(options)"}: ${i.message}`).join("; ")}`);
}
