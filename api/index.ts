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
import type { FaultKindName, FaultSpecInput } from "../faults/registry.ts";
import type { PostgresReadbackInput, ReadbackInput } from "../env/readback/registry.ts";
import type { ScenarioInput } from "../scenario/scenario.ts";
import type { SelectorInput } from "../core/selector.ts";
import type { ProbeSpecInput } from "../core/probe-spec.ts";
import type { SloSpecInput } from "../judge/slo-kinds.ts";
import type { LinkSpec, NodeSpecInput, Topology } from "../core/topology.ts";
import type { z } from "zod";
import type { K6Class } from "../load/traffic/k6.ts";
import type { BrowserClass } from "../load/traffic/browser.ts";
import type { WorkloadClass } from "../load/traffic/workload.ts";
import type { TrafficTarget } from "../load/traffic/common.ts";
import type { TrafficClassInput } from "../load/traffic/registry.ts";

export { DurationText } from "../core/duration.ts";
export type { ComposeNodeOverrides, ComposeTopologyInput, DurationInput, FaultSpecInput, MillisecondsInput, NodeSpecInput, PostgresReadbackInput, ProbeSpecInput, ReadbackInput, ScenarioInput, SelectorInput, SloSpecInput };
export type TopologyInput = z.input<typeof Topology>;
export type LinkInput = z.input<typeof LinkSpec>;
export type { TrafficClassInput, TrafficTarget };
export type K6TrafficInput = z.input<typeof K6Class>;
export type BrowserTrafficInput = z.input<typeof BrowserClass>;
export type WorkloadTrafficInput = z.input<typeof WorkloadClass>;
export type { BankClient, BankClientModule, BankSetup, ListAppendClient, ListAppendClientModule, OpOutcome, RegisterClient, RegisterClientModule, TxnOutcome, WorkloadClientContext, WorkloadServer } from "../load/workload/client.ts";
export type { ListAppendMop } from "../core/workload-op.ts";
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

/** A workload whose history a checker reads (list-append, register, bank), driven in Node through the system's `client` module. */
export function workloadTraffic(spec: Omit<WorkloadTrafficInput, "script">): WorkloadTrafficInput {
  return { script: "workload", ...spec };
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

/** A fault kind's scenario object, as its schema takes it (faults/<kind>.ts). */
export type FaultInput<K extends FaultKindName> = Extract<FaultSpecInput, { kind: K }>;
/** What a fault helper takes besides its target: when it runs (`at`, `for`, `id`) and its kind's own fields. */
export type FaultFields<K extends FaultKindName> = Omit<FaultInput<K>, "kind" | "target">;

// One helper per fault kind, each typed from the kind's schema: `kill({ role: "db" }, { at: "10s", for: "5s" })` is
// `{ kind: "kill", target: { role: "db" }, at: "10s", for: "5s" }`. docs/scenario-reference.md lists every field.

/** Kill the selected nodes' main process (SIGKILL unless told); heal starts them again. */
export function kill(target: SelectorInput, fields: FaultFields<"kill">, signal?: FaultInput<"kill">["signal"]): FaultSpecInput {
  return { kind: "kill", target, ...fields, ...(signal !== undefined ? { signal } : {}) };
}

/** `docker stop`: SIGTERM, then SIGKILL after `timeoutMs` (default 10 s); heal starts the nodes again. */
export function stop(target: SelectorInput, fields: FaultFields<"stop">): FaultSpecInput {
  return { kind: "stop", target, ...fields };
}

/** Freeze the selected nodes (cgroup freezer): alive to the kernel, silent to clients; heal unpauses. */
export function pause(target: SelectorInput, fields: FaultFields<"pause">): FaultSpecInput {
  return { kind: "pause", target, ...fields };
}

/** `docker restart` at `at` (SIGTERM, SIGKILL after `timeoutMs`, started again at once); heal waits until it is ready. */
export function restart(target: SelectorInput, fields: FaultFields<"restart">): FaultSpecInput {
  return { kind: "restart", target, ...fields };
}

/** SIGKILL the nodes every `everyMs`, each started again `restartDelayMs` after its death, until healed. */
export function crashLoop(target: SelectorInput, fields: FaultFields<"crash-loop">): FaultSpecInput {
  return { kind: "crash-loop", target, ...fields };
}

/** Cut the selected nodes off every other node; heal reconnects them. */
export function isolate(target: SelectorInput, fields: FaultFields<"isolate">): FaultSpecInput {
  return { kind: "isolate", target, ...fields };
}

/**
 * Split nodes into groups that cannot reach each other: `groups: { mode: "halves" }` (default), "minority-majority",
 * "bridge", or the groups named. `target` (default every node) is the nodes considered.
 */
export function partition(fields: Omit<FaultInput<"partition">, "kind">): FaultSpecInput {
  return { kind: "partition", ...fields };
}

/** Cut between two zones (topology networks): nodes only in one cannot reach nodes only in the other. */
export function zoneCut(zones: [string, string], fields: Omit<FaultInput<"zone-cut">, "kind" | "zones">): FaultSpecInput {
  return { kind: "zone-cut", zones, ...fields };
}

/** Drop `percent` of the selected nodes' packets (both directions unless told). */
export function packetLoss(target: SelectorInput, fields: FaultFields<"packet-loss">): FaultSpecInput {
  return { kind: "packet-loss", target, ...fields };
}

/** Limit the selected nodes' egress to `rateKbit` kbit/s. */
export function bandwidth(target: SelectorInput, fields: FaultFields<"bandwidth">): FaultSpecInput {
  return { kind: "bandwidth", target, ...fields };
}

/** Add `delayMs` (± `jitterMs`) to the selected nodes' egress. */
export function latency(target: SelectorInput, fields: FaultFields<"latency">): FaultSpecInput {
  return { kind: "latency", target, ...fields };
}

/** A toxiproxy toxic on a link of the topology (latency, bandwidth, timeout, reset_peer, ...). */
export function linkToxic(linkName: string, fields: Omit<FaultInput<"link-toxic">, "kind" | "link">): FaultSpecInput {
  return { kind: "link-toxic", link: linkName, ...fields };
}

/** Disable a link of the topology: open connections are closed and new ones refused until healed. */
export function linkDown(linkName: string, fields: Omit<FaultInput<"link-down">, "kind" | "link">): FaultSpecInput {
  return { kind: "link-down", link: linkName, ...fields };
}

/** Fill the selected nodes' data volume (topology `dataVolume`), leaving `leaveFreeBytes` free; heal deletes the filler. */
export function diskFill(target: SelectorInput, fields: FaultFields<"disk-fill">): FaultSpecInput {
  return { kind: "disk-fill", target, ...fields };
}

/**
 * A power cut: SIGKILL the selected nodes and discard every write their lazyfs data volume (topology
 * `dataVolume: { kind: "lazyfs" }`) holds unfsynced; heal starts them again.
 */
export function powerLoss(target: SelectorInput, fields: FaultFields<"power-loss">): FaultSpecInput {
  return { kind: "power-loss", target, ...fields };
}

/**
 * A failing disk: `percent` of the `op` calls (read, write, fsync or all) under `paths` on the selected nodes' lazyfs
 * data volume fail with EIO; heal removes the rules.
 */
export function ioError(target: SelectorInput, fields: FaultFields<"io-error">): FaultSpecInput {
  return { kind: "io-error", target, ...fields };
}

/** A slow disk: every `op` call under `paths` on the selected nodes' lazyfs data volume waits `latencyMs` first. */
export function ioLatency(target: SelectorInput, fields: FaultFields<"io-latency">): FaultSpecInput {
  return { kind: "io-latency", target, ...fields };
}

/**
 * Destroy the selected nodes' storage: SIGKILL them and delete everything on their data volume (topology
 * `dataVolume` of kind "loop-ext4" or "lazyfs"); they stay down until a `restore` step or the end of the run.
 */
export function storageDestroy(target: SelectorInput, fields: FaultFields<"storage-destroy">): FaultSpecInput {
  return { kind: "storage-destroy", target, ...fields };
}

/**
 * A recovery step: rebuild the selected node from a backup of `topology.backups` (`backup`), from its last base
 * backup (`point: "last-backup"`) or with every archived log record on top (`"newest-archived"`), on a fresh disk.
 * At `at`, or with `when` once an error condition on the traffic has held (not before `at`, at most `within` after):
 * `restoreBackup({ names: ["db"] }, { at: "40s", when: { traffic: "devices", errorPercentAtLeast: 100, for: "10s", within: "30s" }, backup: "db-backups" })`.
 */
export function restoreBackup(target: SelectorInput, fields: FaultFields<"restore">): FaultSpecInput {
  return { kind: "restore", target, ...fields };
}

/** Busy the selected nodes' CPUs (stress-ng in a sidecar sharing their cgroup). */
export function cpuStress(target: SelectorInput, fields: FaultFields<"cpu-stress">): FaultSpecInput {
  return { kind: "cpu-stress", target, ...fields };
}

/** Allocate and keep touching `megabytes` of memory beside the selected nodes' processes. */
export function memoryStress(target: SelectorInput, fields: FaultFields<"memory-stress">): FaultSpecInput {
  return { kind: "memory-stress", target, ...fields };
}

/** Lower the selected nodes' memory limit to `megabytes`: a node that uses more is OOM-killed; heal restores the limit. */
export function memoryLimit(target: SelectorInput, fields: FaultFields<"memory-limit">): FaultSpecInput {
  return { kind: "memory-limit", target, ...fields };
}

/** Move the selected nodes' wall clocks by `offsetMs` (negative: behind); needs libfaketime in their image (FROM havoc/faketime:dev). */
export function clockSkew(target: SelectorInput, fields: FaultFields<"clock-skew">): FaultSpecInput {
  return { kind: "clock-skew", target, ...fields };
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
