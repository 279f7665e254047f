import type { ProbeSpecInput } from "../../core/probe-spec.ts";
import type { SelectorInput } from "../../core/selector.ts";
import type { FaultSpecInput } from "../../faults/registry.ts";
import type { ReadbackInput } from "../../env/readback/registry.ts";
import type { SloSpecInput } from "../../judge/slo-kinds.ts";
import type { TrafficClassInput } from "../../load/traffic/registry.ts";
import type { z } from "zod";
import type { DataVolume, ImageBuild, LinkSpec, NodeSpecInput, ReadyProbe, Topology } from "../../core/topology.ts";
import type { ProbeCheck, ProbeSettings } from "../../core/probe-spec.ts";
import type { Toxic } from "../../faults/link-toxic.ts";
import type { StepCondition } from "../../faults/step-condition.ts";
import type { ReadFrom } from "../../env/readback/readback-fields.ts";
import type { SloWindow } from "../../judge/slo-kinds.ts";
import type { TrafficTarget } from "../../load/traffic/common.ts";
import type { ComposeNodeOverrides, ComposeTopology } from "../compose/compose-topology-spec.ts";
import type { Gate, RandomFaults, SafetyStop, ScenarioInput } from "../scenario.ts";
import type { FaultGenerator } from "../fault-generator.ts";

/**
 * An example of every part and kind of the scenario reference, typed as its schema's input (so an example that
 * stops fitting does not compile) and parsed by test/unit/scenario-reference.test.ts. The reference prints each
 * as code; a fault's also as the call of its helper in `havoc` (api/index.ts), which the test checks is the same
 * object.
 */

export interface Example {
  /** The value, as a scenario holds it. */
  value: unknown;
  /** The value as code. */
  code: string;
}

/** The field descriptions of fields whose source has no JSDoc, by `<section anchor>.<field>` or by field name. */
export const undocumented: Record<string, string> = {
  kind: "Which kind this is (see the kinds above).",
  script: "Which kind of traffic this is.",
  type: "Which toxic this is.",
  "topology.probeSettings": "How often and how long the probes sample.",
  "faults.target": "The nodes the fault hits: a [selector](#selector).",
  "scenario.description": "One line on what the scenario shows, for reports and suites.",
  "topology.nodes": "The containers of the system under test.",
  "node.name": "Node name: its DNS name on the run's networks and its name in selectors, reports and logs.",
  "data-volume.gid": "Group owner of the volume's root directory (see `uid`).",
  "ready-http.path": "Path of the GET.",
  "probe-series.nodes": "The nodes probed, by name (give this or `role`).",
  "traffic-browser.target": "Where the browser goes: a node's container port (its published 127.0.0.1 port).",
  "fault-stop.timeoutMs": "Time between SIGTERM and SIGKILL. Default 10 s.",
  "fault-restart.timeoutMs": "Time between SIGTERM and SIGKILL. Default 10 s.",
  "fault-link-toxic.toxic": "The toxic (see [toxic](#toxic)).",
  "readback-postgres.database": "Database to read.",
  "readback-postgres.user": "User to log in as.",
  "readback-mysql.database": "Database to read.",
  "readback-mysql.user": "User to log in as.",
  "scenario.topology": "The nodes, their networks and links: a [topology](#topology), or one read from a compose file ([compose](#compose-topology)).",
  "scenario.traffic": "The load during the run: at least one traffic class.",
  "scenario.faults": "What goes wrong, and when. Default none (a control run).",
  "scenario.readback": "Reading back every id the stores hold after traffic, for lost-writes and convergence. Default none.",
  "scenario.slos": "What must hold: at least one SLO.",
  "scenario.gate": "The steady-state gate before the first fault.",
  "node.command": "Command (argv) replacing the image's CMD.",
  "node.ready": "How the harness decides the node is ready (default: it is running).",
  "link.listenPort": "Port the link listens on (on the toxiproxy node). Default `to.port`.",
  "ready-http.port": "Container port; it must be listed in the node's `ports`.",
  "ready-tcp.port": "Container port that accepts a TCP connection when the node is ready; listed in the node's `ports`.",
  "ready-exec.command": "Command run inside the container; exit 0 means ready.",
  "probe-leader.role": "Role whose nodes are asked.",
  "probe-leader.check": "How each node is asked (default: the role's `primaryProbe`).",
  "probe-series.name": "Name in reports and charts.",
  "probe-series.check": "The check run on each node each interval.",
  "probe-check-exec.command": "Command run inside the node.",
  "probe-check-http.port": "Container port asked (its published 127.0.0.1 port).",
  "probe-check-http.path": "Path of the GET.",
  "traffic-k6.gate": "Whether the steady-state gate judges this class.",
  "traffic-browser.journey": "The journey module (relative to the scenario file): `export default async function (page, ctx) { ... }`.",
  "traffic-target.node": "Node the traffic goes to.",
  "traffic-target.port": "Container port on that node (reached through its published 127.0.0.1 port).",
  "fault-kill.signal": "Signal sent to the main process. Default SIGKILL.",
  "fault-partition.target": "The nodes considered. Default every node.",
  "fault-zone-cut.target": "The nodes considered. Default every node.",
  "selector.names": "Fixed node names forming the pool. Without a `mode`, all of them are taken.",
  "readback-postgres.port": "PostgreSQL port of the node. Default 5432.",
  "readback-mysql.port": "MySQL port of the node. Default 3306.",
  "readback-redis.port": "Redis port of the node. Default 6379.",
  "readback-redis.set": "A set holding every id (SMEMBERS). Give `set` or `scan`.",
  "readback-redis.scan": "A key pattern (SCAN MATCH) whose keys are the ids. Give `set` or `scan`.",
  "readback-redis.stripPrefix": "Prefix cut from each key to get the id.",
  "readback-http.port": "Container port of the node that answers the GET.",
  "readback-http.path": "Path that answers every stored id.",
  "readback-http.format": '"json": a JSON array of ids; "lines": one id per line.',
  "readback.node": "Node to read from. Use `from` instead to read the current primary of a role.",
  "slo-availability.atLeastPercent": "Successful requests / all requests in the window must be at least this percent.",
  "slo-availability.ops": "Which ops count: every op, only writes, or only reads.",
  "slo-availability.window": "The stretch of the run judged. Default the whole run.",
  "slo-lost-writes.atMost": "Acknowledged writes missing from the store when read back, at most. Default 0.",
  "slo-longest-outage.ops": "Which ops count: every op, only writes, or only reads.",
  "slo-longest-outage.window": "The stretch of the run judged. Default the whole run.",
  "slo-longest-outage.atMost": "The longest stretch with the class below `downBelowPercent` success, at most.",
  "slo-longest-outage.downBelowPercent": "A second counts as down below this success percent. Default 50.",
  "slo-recovery-time.ops": "Which ops count: every op, only writes (e.g. a new leader taking writes), or only reads.",
  "slo-recovery-time.fault": "Id of the fault whose injection or heal the time is measured from.",
  "slo-recovery-time.from": '"inject": failover time (from the injection); "heal": recovery time (from the heal).',
  "slo-recovery-time.atMost": "The time until the class is stable again, at most.",
  "slo-recovery-time.atLeastPercent": "Success percent that counts as recovered. Default 99.",
  "slo-recovery-time.stableFor": "How long the class must stay at `atLeastPercent` to count as recovered.",
  "slo-latency.ops": "Which ops count: every op, only writes, or only reads.",
  "slo-latency.window": "The stretch of the run judged. Default the whole run.",
  "slo-latency.percentile": "The percentile judged, e.g. 99.",
  "slo-latency.atMostMs": "That percentile's latency, at most, in milliseconds.",
  "slo-stale-reads.window": "The stretch of the run judged. Default the whole run.",
  "slo-stale-reads.atMost": "Reads that missed the client's own acknowledged write, at most. Default 0.",
  "slo-dropped-iterations.atMost": "Iterations the load generator could not start in time, at most (over it: unknown, never fail). Default 0.",
  "window-fault.fault": "Id of the fault.",
  "window-fault.phase": "before its injection, during it, or after its heal (to the end of traffic).",
  "window-interval.from": "Start, from traffic start.",
  "window-interval.to": "End, from traffic start.",
  "toxic-latency.latencyMs": "Delay added to every chunk of data.",
  "toxic-latency.jitterMs": "Random ± added to the delay. Default 0.",
  "toxic-bandwidth.rateKBps": "Throughput cap, kilobytes per second.",
  "toxic-slow_close.delayMs": "Delay of the close.",
  "toxic-timeout.timeoutMs": "Time before the connection is closed (0: never, data held until healed).",
  "toxic-reset_peer.timeoutMs": "Time before the reset. Default 0: at once.",
  "toxic-slicer.averageSize": "Average chunk size, bytes.",
  "toxic-slicer.sizeVariation": "Random ± on the chunk size, bytes. Default 0.",
  "toxic-slicer.delayUs": "Delay between chunks, microseconds. Default 0.",
  "toxic-limit_data.bytes": "Bytes after which the connection is closed.",
  "compose-topology.links": "TCP links through toxiproxy, the targets of link faults (see [link](#link)).",
  "compose-topology.roles": "Per role, how to tell which node holds it (see [topology](#topology) `roles`).",
  "compose-topology.probes": "The system's own signals sampled while traffic runs (see [probes](#probes)).",
  "compose-topology.probeSettings": "Sampling settings of the probes.",
  "compose-node.readyTimeoutMs": "Deadline for `ready` after start. Default 60 s.",
  "compose-node.memoryMb": "Memory limit in MiB.",
  "compose-node.dataVolume": "A size-limited disk (see [data volume](#data-volume)).",
  "gate.minSuccessPercent": "Every traffic class must reach this success percent before the first fault. Default 95.",
  "gate.minRequests": "...over at least this many requests per class. Default 10.",
  "random-faults.minDuration": "Shortest fault drawn.",
  "random-faults.maxDuration": "Longest fault drawn.",
  "generator.mix": "Fault templates with relative weights (0 = never drawn): `{ weight, fault }`, the fault without `id`, `at`, `for`.",
  "generator.staggerMs": "Mean time between one draw and the next (exponential draws).",
  "generator.durationMs": "Each fault lasts a uniform draw in [min, max], cut short to heal by `phases.chaosEndMs`.",
  "generator.maxConcurrent": "Faults active at once, at most; 1 = never overlap. Default 1.",
  "generator.phases": "From traffic start: nothing before `quietStartMs` (default 0), every fault healed by `chaosEndMs`.",
  "generator.limits": "`maxDownFraction` (\"minority\" or 0 < f <= 1): nodes down at once, per role and overall; `protectRoles`: never targets.",
  "generator.maxFaults": "Stop after this many faults. Default: as many as the chaos phase holds.",
};

/** Values as code: `{ kind: "kill", target: { role: "db" }, at: "10s" }`, on several lines when long. */
export function asCode(value: unknown, indent = ""): string {
  const flat = flatCode(value);
  if (flat.length + indent.length <= 110 || value === null || typeof value !== "object") return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${asCode(v, inner)},`).join("\n")}\n${indent}]`;
  return `{\n${Object.entries(value)
    .map(([k, v]) => `${inner}${key(k)}: ${asCode(v, inner)},`)
    .join("\n")}\n${indent}}`;
}

function flatCode(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flatCode).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${key(k)}: ${flatCode(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

const ex = <T>(value: T): Example => ({ value, code: asCode(value) });
const fault = (value: FaultSpecInput) => ex(value);
const slo = (value: SloSpecInput) => ex(value);
const traffic = (value: TrafficClassInput) => ex(value);
const readback = (value: ReadbackInput) => ex(value);

const scenario: ScenarioInput = {
  name: "notes-db-crash",
  topology: {
    nodes: [
      { name: "api", build: { context: "../app" }, role: "app", ports: [8080], ready: { kind: "http", port: 8080, path: "/health" } },
      { name: "db", image: "redis:7", role: "db", ports: [6379] },
    ],
  },
  traffic: [{ script: "k6", name: "writers", file: "../load/writers.k6.ts", target: { node: "api", port: 8080 }, duration: "30s" }],
  faults: [{ id: "kill-db", kind: "kill", target: { role: "db" }, at: "10s", for: "5s" }],
  readback: [{ kind: "http", traffic: "writers", node: "api", port: 8080, path: "/ids" }],
  slos: [
    { id: "nothing-lost", kind: "lost-writes", traffic: "writers", atMost: 0 },
    { id: "back-quickly", kind: "recovery-time", traffic: "writers", fault: "kill-db", from: "heal", atMost: "10s" },
  ],
};

/** By section anchor (render-reference.ts). */
export const examples: Record<string, Example> = {
  scenario: ex(scenario),
  topology: ex({
    networks: ["zone-a", "zone-b"],
    nodes: [
      { name: "db", image: "postgres:16", role: "db", ports: [5432], networks: ["zone-a"] },
      { name: "app", build: { context: "../app" }, role: "app", ports: [8080], networks: ["zone-a", "zone-b"], dependsOn: ["db"] },
    ],
    links: [{ name: "db-link", to: { node: "db", port: 5432 } }],
  } satisfies z.input<typeof Topology>),
  node: ex({
    name: "api",
    build: { context: "../app" },
    role: "app",
    env: { DATABASE_URL: "postgres://app:${secret:db-password}@db:5432/app" },
    ports: [8080],
    ready: { kind: "http", port: 8080, path: "/health" },
    readyTimeoutMs: 30_000,
    dependsOn: ["db"],
  } satisfies NodeSpecInput),
  "image-build": ex({ context: "../app", dockerfile: "Dockerfile", args: { VERSION: "1.2" }, target: "runtime" } satisfies z.input<typeof ImageBuild>),
  "data-volume": ex({ path: "/var/lib/postgresql/data", sizeMb: 64 } satisfies z.input<typeof DataVolume>),
  "ready-http": ex({ kind: "http", port: 8080, path: "/health" } satisfies z.input<typeof ReadyProbe>),
  "ready-tcp": ex({ kind: "tcp", port: 6379 } satisfies z.input<typeof ReadyProbe>),
  "ready-exec": ex({ kind: "exec", command: ["pg_isready", "-U", "postgres"] } satisfies z.input<typeof ReadyProbe>),
  link: ex({ name: "db-link", to: { node: "db", port: 5432 } } satisfies z.input<typeof LinkSpec>),
  "probe-leader": ex({ kind: "leader", role: "db" } satisfies ProbeSpecInput),
  "probe-series": ex({ kind: "series", name: "replication-lag", role: "db", check: { kind: "exec", command: ["sh", "-c", "echo lag_s $(cat /tmp/lag)"] }, unit: "s" } satisfies ProbeSpecInput),
  "probe-check-exec": ex({ kind: "exec", command: ["psql", "-tAc", "select not pg_is_in_recovery()"], expect: "t" } satisfies z.input<typeof ProbeCheck>),
  "probe-check-http": ex({ kind: "http", port: 8080, path: "/leader", status: 200 } satisfies z.input<typeof ProbeCheck>),
  "probe-settings": ex({ interval: "1s", timeout: "1500ms" } satisfies z.input<typeof ProbeSettings>),
  "compose-topology": ex({ compose: "../compose.yaml", nodes: { notes: { role: "app" }, redis: { role: "db" } } } satisfies z.input<typeof ComposeTopology>),
  "compose-node": ex({ role: "db", ports: [6379], memoryMb: 256 } satisfies z.input<typeof ComposeNodeOverrides>),
  "traffic-k6": traffic({ script: "k6", name: "writers", file: "../load/writers.k6.ts", target: { node: "api", port: 8080 }, duration: "1m", env: { RATE: "20" } }),
  "traffic-browser": traffic({ script: "browser", name: "people", journey: "../load/checkout.journey.ts", target: { node: "web", port: 80 }, duration: "2m", contexts: 2 }),
  "traffic-workload": traffic({ script: "workload", name: "txns", client: "../clients/list-append.ts", clientOptions: { isolation: "serializable" }, target: { node: "db", port: 5432 }, duration: "30s", concurrency: 4 }),
  "traffic-target": ex({ node: "api", port: 8080 } satisfies z.input<typeof TrafficTarget>),
  "fault-kill": fault({ kind: "kill", target: { role: "db" }, at: "10s", for: "5s" }),
  "fault-stop": fault({ kind: "stop", target: { names: ["db"] }, at: "10s", for: "20s", timeoutMs: 5_000 }),
  "fault-pause": fault({ kind: "pause", target: { role: "app", mode: "one" }, at: "10s", for: "10s" }),
  "fault-restart": fault({ kind: "restart", target: { role: "app", mode: "all" }, at: "15s" }),
  "fault-crash-loop": fault({ kind: "crash-loop", target: { role: "app", mode: "one" }, at: "10s", for: "30s", everyMs: 5_000 }),
  "fault-isolate": fault({ kind: "isolate", target: { role: "db", mode: "primary" }, at: "10s", for: "20s" }),
  "fault-partition": fault({ kind: "partition", groups: { mode: "minority-majority" }, at: "10s", for: "20s" }),
  "fault-zone-cut": fault({ kind: "zone-cut", zones: ["zone-a", "zone-b"], at: "10s", for: "20s" }),
  "fault-packet-loss": fault({ kind: "packet-loss", target: { role: "db" }, at: "10s", for: "20s", percent: 30 }),
  "fault-bandwidth": fault({ kind: "bandwidth", target: { role: "db" }, at: "10s", for: "20s", rateKbit: 1_000 }),
  "fault-latency": fault({ kind: "latency", target: { role: "db" }, at: "10s", for: "20s", delayMs: 200, jitterMs: 50 }),
  "fault-link-toxic": fault({ kind: "link-toxic", link: "db-link", toxic: { type: "latency", latencyMs: 300 }, at: "10s", for: "20s" }),
  "fault-link-down": fault({ kind: "link-down", link: "db-link", at: "10s", for: "5s" }),
  "fault-disk-fill": fault({ kind: "disk-fill", target: { role: "db" }, at: "10s", for: "20s", leaveFreeBytes: 0 }),
  "fault-power-loss": fault({ kind: "power-loss", target: { role: "db", mode: "all" }, at: "10s", for: "5s" }),
  "fault-io-error": fault({ kind: "io-error", target: { role: "db" }, at: "10s", for: "10s", op: "fsync", percent: 50, paths: ["pg_wal/*"] }),
  "fault-io-latency": fault({ kind: "io-latency", target: { role: "db" }, at: "10s", for: "10s", op: "all", latencyMs: 100 }),
  "fault-storage-destroy": fault({ kind: "storage-destroy", target: { names: ["db"] }, at: "30s", for: "5s" }),
  "fault-restore": fault({ kind: "restore", target: { names: ["db"] }, at: "35s", backup: "db-backups", point: "last-backup" }),
  "fault-cpu-stress": fault({ kind: "cpu-stress", target: { role: "app", mode: "all" }, at: "10s", for: "20s", workers: 2 }),
  "fault-memory-stress": fault({ kind: "memory-stress", target: { role: "app", mode: "one" }, at: "10s", for: "20s", megabytes: 256 }),
  "fault-memory-limit": fault({ kind: "memory-limit", target: { role: "db" }, at: "10s", for: "20s", megabytes: 64 }),
  "fault-clock-skew": fault({ kind: "clock-skew", target: { role: "app", mode: "one" }, at: "10s", for: "20s", offsetMs: -30_000 }),
  "toxic-latency": ex({ type: "latency", latencyMs: 300, jitterMs: 50 } satisfies z.input<typeof Toxic>),
  "toxic-bandwidth": ex({ type: "bandwidth", rateKBps: 64 } satisfies z.input<typeof Toxic>),
  "toxic-slow_close": ex({ type: "slow_close", delayMs: 2_000 } satisfies z.input<typeof Toxic>),
  "toxic-timeout": ex({ type: "timeout", timeoutMs: 0 } satisfies z.input<typeof Toxic>),
  "toxic-reset_peer": ex({ type: "reset_peer" } satisfies z.input<typeof Toxic>),
  "toxic-slicer": ex({ type: "slicer", averageSize: 64, sizeVariation: 32, delayUs: 100 } satisfies z.input<typeof Toxic>),
  "toxic-limit_data": ex({ type: "limit_data", bytes: 1_024 } satisfies z.input<typeof Toxic>),
  selector: ex({ role: "app", mode: "minority" } satisfies SelectorInput),
  "random-faults": ex({
    count: 3,
    from: "10s",
    to: "50s",
    choices: [{ kind: "kill", target: { role: "app", mode: "one" }, at: "0s" }, { kind: "pause", target: { role: "db" }, at: "0s" }],
  } satisfies z.input<typeof RandomFaults>),
  generator: ex({
    mix: [
      { weight: 2, fault: { kind: "kill", target: { role: "app", mode: "one" } } },
      { weight: 1, fault: { kind: "pause", target: { role: "app", mode: "one" } } },
    ],
    staggerMs: "8s",
    durationMs: { min: "5s", max: "15s" },
    maxConcurrent: 2,
    phases: { quietStartMs: "10s", chaosEndMs: "50s" },
    limits: { maxDownFraction: "minority", protectRoles: ["db"] },
  } satisfies z.input<typeof FaultGenerator>),
  safety: ex({ traffic: "writers", errorPercentAtLeast: 50, for: "5s" } satisfies z.input<typeof SafetyStop>),
  "step-when": ex({ traffic: "writers", errorPercentAtLeast: 100, for: "10s", within: "30s" } satisfies z.input<typeof StepCondition>),
  "readback-postgres": readback({ kind: "postgres", traffic: "writers", from: { primaryOf: "db" }, database: "app", user: "app", password: "${secret:db-password}", idsQuery: "select id from notes" }),
  "readback-mysql": readback({ kind: "mysql", traffic: "writers", node: "db", database: "app", user: "root", password: "${secret:db-password}", idsQuery: "select id from notes" }),
  "readback-redis": readback({ kind: "redis", traffic: "writers", node: "redis", scan: "note:*", stripPrefix: "note:" }),
  "readback-http": readback({ kind: "http", traffic: "writers", node: "api", port: 8080, path: "/notes/ids" }),
  "read-from": ex({ primaryOf: "db" } satisfies z.input<typeof ReadFrom>),
  "slo-availability": slo({ id: "writes-ok", kind: "availability", traffic: "writers", window: { kind: "fault", fault: "kill-db", phase: "before" }, atLeastPercent: 99 }),
  "slo-lost-writes": slo({ id: "nothing-lost", kind: "lost-writes", traffic: "writers", atMost: 0 }),
  "slo-longest-outage": slo({ id: "short-outage", kind: "longest-outage", traffic: "writers", atMost: "8s" }),
  "slo-recovery-time": slo({ id: "back-quickly", kind: "recovery-time", traffic: "writers", fault: "kill-db", from: "heal", atMost: "10s" }),
  "slo-latency": slo({ id: "p99", kind: "latency", traffic: "writers", percentile: 99, atMostMs: 250 }),
  "slo-stale-reads": slo({ id: "reads-see-own-writes", kind: "stale-reads", traffic: "readers", atMost: 0 }),
  "slo-dropped-iterations": slo({ id: "load-kept-up", kind: "dropped-iterations", traffic: "writers", atMost: 0 }),
  "slo-consistency": slo({ id: "txns-serializable", kind: "consistency", traffic: "txns", model: "serializable" }),
  "slo-linearizable": slo({ id: "registers-linearizable", kind: "linearizable", traffic: "registers", timeoutPerKey: "10s" }),
  "slo-bank": slo({ id: "bank-total", kind: "bank", traffic: "bank" }),
  "slo-recovery-point": slo({ id: "loses-at-most-a-day", kind: "recovery-point", traffic: "writers", fault: "destroy-db", restore: "restore-db", atMost: "20s" }),
  "slo-convergence": slo({ id: "replicas-agree", kind: "convergence", traffic: "writers", atMost: 0 }),
  "window-run": ex({ kind: "run" } satisfies z.input<typeof SloWindow>),
  "window-fault": ex({ kind: "fault", fault: "kill-db", phase: "during" } satisfies z.input<typeof SloWindow>),
  "window-interval": ex({ kind: "interval", from: "0s", to: "10s" } satisfies z.input<typeof SloWindow>),
  gate: ex({ minSuccessPercent: 95, minRequests: 10 } satisfies z.input<typeof Gate>),
};

/** Each fault kind's helper of `havoc` (api/index.ts). */
export const faultHelperNames: Record<string, string> = {
  kill: "kill",
  stop: "stop",
  pause: "pause",
  restart: "restart",
  "crash-loop": "crashLoop",
  isolate: "isolate",
  partition: "partition",
  "zone-cut": "zoneCut",
  "packet-loss": "packetLoss",
  bandwidth: "bandwidth",
  latency: "latency",
  "link-toxic": "linkToxic",
  "link-down": "linkDown",
  "disk-fill": "diskFill",
  "power-loss": "powerLoss",
  "io-error": "ioError",
  "io-latency": "ioLatency",
  "storage-destroy": "storageDestroy",
  restore: "restoreBackup",
  "cpu-stress": "cpuStress",
  "memory-stress": "memoryStress",
  "memory-limit": "memoryLimit",
  "clock-skew": "clockSkew",
};

/**
 * The helper call that makes a fault example: `kill({ role: "db" }, { at: "10s", for: "5s" })`. The helpers take
 * the target first (partition and zone-cut: none, zones first; link faults: the link first), then the rest.
 */
export function helperArguments(value: Record<string, unknown>): unknown[] {
  const { kind, target, zones, link, ...rest } = value;
  if (kind === "partition") return [{ ...(target !== undefined ? { target } : {}), ...rest }];
  if (kind === "zone-cut") return [zones, { ...(target !== undefined ? { target } : {}), ...rest }];
  if (kind === "link-toxic" || kind === "link-down") return [link, { ...(target !== undefined ? { target } : {}), ...rest }];
  return [target, rest];
}

/** By kind: the call as code. */
export const faultHelpers: Record<string, string> = Object.fromEntries(
  Object.entries(examples)
    .filter(([anchor]) => anchor.startsWith("fault-"))
    .map(([anchor, example]) => {
      const kind = anchor.slice("fault-".length);
      return [kind, `${faultHelperNames[kind]}(${helperArguments(example.value as Record<string, unknown>).map((a) => flatCode(a)).join(", ")})`];
    }),
);
