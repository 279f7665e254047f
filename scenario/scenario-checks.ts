import { nearest } from "../core/did-you-mean.ts";
import { formatDuration } from "../core/duration.ts";
import { Names } from "../core/names.ts";
import { LOCAL_HOST, placeNodes } from "../core/hosts.ts";
import type { IssuePath, Report, ScenarioView } from "../core/scenario-view.ts";
import { faultId, faultKind, type FaultSpec } from "../faults/registry.ts";
import { readbackFrom } from "../env/readback/registry.ts";
import type { Scenario } from "./scenario.ts";
import { faultGeneratorIssues } from "./fault-generator.ts";
import { selectorPool, type Selector } from "../core/selector.ts";
import type { NodeSpec } from "../core/topology.ts";
import type { SloWindow } from "../judge/slo-kinds.ts";
import type { TrafficTarget } from "../load/traffic/common.ts";
import { trafficKind, trafficTargets } from "../load/traffic/registry.ts";
import { sloKind } from "../judge/slo-kinds.ts";

/**
 * The scenario's cross-reference checks: what one part says about another (a selector and the topology, an SLO and
 * its traffic class, a fault and the end of traffic). The Scenario schema's refinement runs them on a parsed
 * scenario; `validateScenario` runs the same functions on the parts that parsed when others did not, so one run
 * reports every problem in the file. One function per check, each reading only the parts it needs and skipping
 * when one of them did not parse (its own problems are reported by its schema).
 */

export type { IssuePath, Report } from "../core/scenario-view.ts";

type Part<T> = T extends readonly (infer E)[] ? (E | undefined)[] : T;

/** What could be read of a fault that did not parse: the fields that parsed on their own. */
export type SalvagedFault = Partial<Pick<FaultSpec, "id" | "kind" | "target" | "at" | "for">>;
/** ...of a traffic class: its name, how long it runs, where it goes. */
export type SalvagedTraffic = Partial<{ name: string; duration: number; target: TrafficTarget; servers: TrafficTarget[] }>;
/** ...of an SLO: its id and what it names. */
export type SalvagedSlo = Partial<{ id: string; traffic: string; fault: string; window: SloWindow }>;
/** ...of a readback: the traffic class it reads for. */
export type SalvagedReadback = Partial<{ traffic: string }>;

/**
 * The parts of a scenario that parsed. A part that did not is absent; a list keeps one entry per element written,
 * undefined where that element did not parse. `unparsed` names what elements that did not parse declared (node
 * names, traffic class names, fault ids; undefined where it cannot be read, and then no reference into that list is
 * called unknown). `salvaged` holds, at the index of each element that did not parse, the fields of it that did:
 * a fault whose `at` is wrong still names its target, an SLO with a typo still names its traffic class and fault,
 * so their references are checked in the same run. `nodes` holds the topology's nodes when the rest of the
 * topology did not parse (a typo in its links).
 */
export type ScenarioParts = { [K in keyof Scenario]?: Part<Scenario[K]> } & {
  unparsed?: { nodes?: (string | undefined)[]; traffic?: (string | undefined)[]; faults?: (string | undefined)[]; slos?: (string | undefined)[] };
  salvaged?: { faults?: (SalvagedFault | undefined)[]; traffic?: (SalvagedTraffic | undefined)[]; slos?: (SalvagedSlo | undefined)[]; readback?: (SalvagedReadback | undefined)[] };
  nodes?: (NodeSpec | undefined)[];
};

export type ScenarioCheck = (parts: ScenarioParts, report: Report) => void;

/** Each parsed element of a list with its index (elements that did not parse are left out). */
function each<T>(list: readonly (T | undefined)[] | undefined): [T, number][] {
  return (list ?? []).flatMap((item, i) => (item === undefined ? [] : [[item, i] as [T, number]]));
}

/** The list, if every element of it parsed. */
function complete<T>(list: readonly (T | undefined)[] | undefined): T[] | undefined {
  return list && list.every((item) => item !== undefined) ? (list as T[]) : undefined;
}

/** The nodes that parsed: the topology's, or those salvaged when the rest of the topology did not parse. */
const nodesOf = (p: ScenarioParts): (NodeSpec | undefined)[] | undefined => p.nodes ?? p.topology?.nodes;

function nodeNames(p: ScenarioParts): Names | undefined {
  const nodes = nodesOf(p);
  if (!nodes && !p.unparsed?.nodes) return undefined;
  return new Names("node", "nodes", each(nodes).map(([n]) => n.name), p.unparsed?.nodes);
}
const trafficNames = (p: ScenarioParts) => (p.traffic ? new Names("traffic class", "traffic classes", each(p.traffic).map(([t]) => t.name), p.unparsed?.traffic) : undefined);
const faultIds = (p: ScenarioParts) => (p.faults ? new Names("fault id", "fault ids", each(p.faults).map(([f, i]) => faultId(f, i)), p.unparsed?.faults) : undefined);

/** The traffic classes' durations, parsed or salvaged; undefined when one of them cannot be read. */
function trafficDurations(p: ScenarioParts): number[] | undefined {
  if (!p.traffic) return undefined;
  const durations = p.traffic.map((t, i) => t?.duration ?? p.salvaged?.traffic?.[i]?.duration);
  return durations.every((d) => d !== undefined) ? (durations as number[]) : undefined;
}

/** End of traffic (the longest class), ms from traffic start; undefined unless every class's duration can be read. */
function trafficEndMs(p: ScenarioParts): number | undefined {
  const durations = trafficDurations(p);
  return durations && durations.length > 0 ? Math.max(...durations) : undefined;
}

/** When the plan heals a fault: `at + for`, else `tail` before the end of traffic (as engine/runner/plan.ts does). */
function plannedHealMs(fault: Pick<FaultSpec, "at" | "for">, endMs: number, tailMs: number): number {
  return fault.for !== undefined ? fault.at + fault.for : Math.max(fault.at, endMs - tailMs);
}

/** Why a fault's schedule cannot run (injected after traffic ends, healed inside the tail), or undefined. */
function scheduleProblem(f: { at: number; for?: number | undefined }, endMs: number, tail: number): { field: "at" | "for"; message: string } | undefined {
  if (f.at >= endMs)
    return { field: "at", message: `${formatDuration(f.at)} is not before the end of traffic at ${formatDuration(endMs)}: inject before ${formatDuration(endMs)}, or make the traffic longer` };
  if (f.for === undefined || f.at + f.for <= endMs - tail) return undefined;
  const heal = `the fault heals at ${formatDuration(f.at + f.for)} (at ${formatDuration(f.at)} + for ${formatDuration(f.for)})`;
  const limit = `the end of traffic (${formatDuration(endMs)}) minus the fault-free tail (${formatDuration(tail)})`;
  const fix = f.at < endMs - tail ? `give for at most ${formatDuration(endMs - tail - f.at)}, ` : "";
  return { field: "for", message: `${heal}, after ${limit}: ${fix}inject earlier, or make the traffic longer` };
}

/** Whether every node parsed; otherwise a selector's pool may hold a node that did not, and its size is unknowable. */
const nodesComplete = (p: ScenarioParts) => (p.unparsed?.nodes ?? []).length === 0;

function duplicates<T>(items: [T, number][], key: (item: T, index: number) => string, report: (index: number, key: string) => void): void {
  const seen = new Set<string>();
  for (const [item, i] of items) {
    const k = key(item, i);
    if (seen.has(k)) report(i, k);
    seen.add(k);
  }
}

/** Each element of a list with an id, parsed or salvaged: [id, index]; unreadable ids left out. */
function idsOf<T, S>(list: readonly (T | undefined)[] | undefined, salvaged: readonly (S | undefined)[] | undefined, id: (item: T | S, index: number) => string | undefined): [string, number][] {
  return (list ?? []).flatMap((item, i) => {
    const from = item ?? salvaged?.[i];
    const value = from === undefined ? undefined : id(from, i);
    return value === undefined ? [] : [[value, i] as [string, number]];
  });
}

// ---- traffic ----

export const checkTrafficNames: ScenarioCheck = (p, report) =>
  duplicates(idsOf(p.traffic, p.salvaged?.traffic, (t) => t.name), (name) => name, (i, name) => report(["traffic", i, "name"], `duplicate traffic class "${name}"`));

export const checkTrafficSecrets: ScenarioCheck = (p, report) => {
  const secrets = complete(p.secrets);
  if (!secrets) return;
  for (const [t, i] of each(p.traffic))
    if ("keySecret" in t && t.keySecret !== undefined && !secrets.includes(t.keySecret)) report(["traffic", i, "keySecret"], `secret "${t.keySecret}" is not declared in secrets [${secrets.join(", ")}]`);
};

/** Every target of every traffic class (parsed, or salvaged from a class that did not parse) names a node that publishes its port. */
export const checkTrafficTargets: ScenarioCheck = (p, report) => {
  const nodes = nodeNames(p);
  const specs = each(nodesOf(p)).map(([n]) => n);
  if (!nodes) return;
  const check = (target: TrafficTarget, path: IssuePath) => {
    const node = specs.find((n) => n.name === target.node);
    if (!node) {
      if (!nodes.has(target.node)) report([...path, "node"], nodes.unknown(target.node));
    } else if (!node.ports.includes(target.port)) report([...path, "port"], `port ${target.port} is not published by "${node.name}" (ports: [${node.ports.join(", ")}])`);
  };
  (p.traffic ?? []).forEach((t, i) => {
    // A class that holds a list of servers is checked server by server (its kind's targets()).
    if (t) trafficTargets(t).forEach((target, j) => check(target, "servers" in t && t.servers ? ["traffic", i, "servers", j] : ["traffic", i, "target"]));
    const salvaged = t ? undefined : p.salvaged?.traffic?.[i];
    if (salvaged?.target) check(salvaged.target, ["traffic", i, "target"]);
    salvaged?.servers?.forEach((target, j) => check(target, ["traffic", i, "servers", j]));
  });
};

// ---- faults ----

export const checkFaultIds: ScenarioCheck = (p, report) =>
  duplicates(
    idsOf(p.faults, p.salvaged?.faults, (f, i) => f.id ?? (f.kind !== undefined ? `${f.kind}-${i}` : undefined)),
    (id) => id,
    (i, id) => report(["faults", i, "id"], `duplicate fault id "${id}"`),
  );

/** Every scheduled fault (the selector of one that did not parse too) and every random-fault template against the topology. */
export const checkFaultTargets: ScenarioCheck = (p, report) => {
  (p.faults ?? []).forEach((f, i) => {
    if (f) checkFaultAgainstTopology(f, ["faults", i], p, report);
    else {
      const target = p.salvaged?.faults?.[i]?.target;
      if (target) checkSelector(target, ["faults", i, "target"], p, report);
    }
  });
  p.randomFaults?.choices.forEach((f, i) => checkFaultAgainstTopology(f, ["randomFaults", "choices", i], p, report));
};

/**
 * A selector's names are nodes and its pool is not empty; returns the pool when it could be counted (every node
 * parsed and every name known), else undefined.
 */
function checkSelector(target: Selector, path: IssuePath, p: ScenarioParts, report: Report): string[] | undefined {
  const nodes = nodeNames(p);
  if (!nodes) return undefined;
  let unknownName = false;
  target.names?.forEach((name, j) => {
    if (nodes.has(name)) return;
    unknownName = true;
    report([...path, "names", j], nodes.unknown(name));
  });
  // The rest counts the pool, which a node that did not parse might belong to (and an unknown name is reported above).
  if (!nodesComplete(p) || unknownName) return undefined;
  const specs = each(nodesOf(p)).map(([n]) => n);
  const pool = selectorPool(target, specs);
  if (pool.length > 0) return pool;
  const roles = [...new Set(specs.flatMap((n) => n.role ?? []))];
  const meant = target.role !== undefined ? nearest(target.role, roles) : undefined;
  report(path, `selector matches no node: no node has role "${target.role}"${meant ? ` (did you mean "${meant}"?)` : ""} (roles: ${roles.join(", ") || "none"})`);
  return undefined;
}

/**
 * A fault's selector matches and can take what its mode asks (a role with a primary probe, a minority of at least
 * three), then the fault checks what its kind needs of the scenario (faults/<kind>.ts: a declared link, zones,
 * volumes, two sides to cut).
 */
function checkFaultAgainstTopology(f: FaultSpec, path: IssuePath, p: ScenarioParts, report: Report): void {
  if (!nodeNames(p)) return;
  const at = (...rest: IssuePath) => [...path, ...rest];
  const pool = checkSelector(f.target, at("target"), p, report);
  if (f.target.mode === "primary" && f.target.role && p.topology && !p.topology.roles[f.target.role])
    report(at("target", "role"), `mode "primary" needs topology.roles.${f.target.role}.primaryProbe`);
  faultKind(f).check?.(f, scenarioView(p), report, path);
  // A link fault acts on its link; its target is only listed in reports, so how many it takes does not matter.
  if (!pool || faultKind(f).effect === "link") return;
  if (f.target.mode === "minority" && pool.length < 3)
    report(at("target", "mode"), `a strict minority needs a pool of at least 3 nodes, and [${pool.join(", ")}] has ${pool.length}: one of them is not a minority; give mode "one"`);
}

/** Each fault (parsed, or its salvaged times) is injected before traffic ends and heals before the fault-free tail. */
export const checkFaultSchedule: ScenarioCheck = (p, report) => {
  const endMs = trafficEndMs(p);
  if (endMs === undefined || p.tail === undefined) return;
  (p.faults ?? []).forEach((parsed, i) => {
    const f = parsed ?? p.salvaged?.faults?.[i];
    if (f?.at === undefined) return;
    const problem = scheduleProblem({ at: f.at, for: f.for }, endMs, p.tail!);
    if (problem) report(["faults", i, problem.field], problem.message);
  });
};

/**
 * The fault generator can be satisfied on this topology (each template matches a node that is not protected and
 * fits the down limits, maxConcurrent is reachable, the chaos phase holds a fault) and heals before the tail.
 */
export const checkFaultGenerator: ScenarioCheck = (p, report) => {
  const g = p.faultGenerator;
  if (!g) return;
  g.mix.forEach((m, i) => checkFaultAgainstTopology({ ...m.fault, at: 0 } as FaultSpec, ["faultGenerator", "mix", i, "fault"], p, report));
  const endMs = trafficEndMs(p);
  if (endMs !== undefined && p.tail !== undefined && g.phases.chaosEndMs > endMs - p.tail) {
    const by = endMs - p.tail;
    report(["faultGenerator", "phases", "chaosEndMs"], `${formatDuration(g.phases.chaosEndMs)} is after ${formatDuration(by)}, the end of traffic (${formatDuration(endMs)}) minus the fault-free tail (${formatDuration(p.tail)}): generated faults must heal by then`);
  }
  const nodes = nodesOf(p);
  if (!nodesComplete(p) || !nodes) return;
  for (const issue of faultGeneratorIssues(g, each(nodes).map(([n]) => n))) report(["faultGenerator", ...issue.path], issue.message);
};

export const checkRandomFaultWindow: ScenarioCheck = (p, report) => {
  const endMs = trafficEndMs(p);
  if (!p.randomFaults || endMs === undefined || p.tail === undefined) return;
  const by = endMs - p.tail;
  if (p.randomFaults.to > by)
    report(["randomFaults", "to"], `${formatDuration(p.randomFaults.to)} is after ${formatDuration(by)}, the end of traffic (${formatDuration(endMs)}) minus the fault-free tail (${formatDuration(p.tail)}): random faults must heal by then`);
};

// ---- SLOs ----

export const checkSloIds: ScenarioCheck = (p, report) =>
  duplicates(idsOf(p.slos, p.salvaged?.slos, (s) => s.id), (id) => id, (i, id) => report(["slos", i, "id"], `duplicate SLO id "${id}"`));

/**
 * Every SLO names a known traffic class, then checks what its kind needs of the scenario (judge/slos/<kind>.ts). An
 * unknown class is the one problem of that field: what the kind would add about it (no readback for a class of that
 * name) only follows from the typo. An SLO that did not parse is checked for the names it holds (its traffic class,
 * its fault).
 */
export const checkSloReferences: ScenarioCheck = (p, report) => {
  const view = scenarioView(p);
  (p.slos ?? []).forEach((slo, i) => {
    const path: IssuePath = ["slos", i];
    const unknownTraffic = (traffic: string | undefined) => traffic !== undefined && view.traffic !== undefined && !view.traffic.has(traffic);
    if (slo) {
      const trafficUnknown = unknownTraffic(slo.traffic);
      if (trafficUnknown) report([...path, "traffic"], view.traffic!.unknown(slo.traffic));
      const trafficPath = JSON.stringify([...path, "traffic"]);
      sloKind(slo).validate?.(slo, view, (at, message) => (trafficUnknown && JSON.stringify(at) === trafficPath ? undefined : report(at, message)), path);
      return;
    }
    const salvaged = p.salvaged?.slos?.[i];
    if (!salvaged) return;
    if (unknownTraffic(salvaged.traffic)) report([...path, "traffic"], view.traffic!.unknown(salvaged.traffic!));
    if (salvaged.fault !== undefined && view.faults && !view.faults.has(salvaged.fault)) report([...path, "fault"], view.faults.unknown(salvaged.fault));
    const window = salvaged.window;
    if (window?.kind === "fault" && view.faults && !view.faults.has(window.fault)) report([...path, "window", "fault"], view.faults.unknown(window.fault));
  });
};

/** What the kinds may know of this scenario (core/scenario-view.ts), from the parts that parsed. */
export function scenarioView(p: ScenarioParts): ScenarioView {
  const endMs = trafficEndMs(p);
  const traffic = trafficNames(p);
  const readbacks = complete(p.readback);
  return {
    nodes: nodeNames(p),
    topology: p.topology,
    nodesComplete: nodesComplete(p),
    traffic,
    trafficClass(name) {
      const c = each(p.traffic).find(([t]) => t.name === name)?.[0];
      return c && { durationMs: c.duration, checksReadYourWrites: trafficKind(c).checksReadYourWrites(c), script: c.script, ...(c.script === "workload" ? { workload: c.workload } : {}) };
    },
    faults: faultIds(p),
    plannedFault(id) {
      const fault = each(p.faults).find(([f, i]) => faultId(f, i) === id)?.[0];
      if (!fault || endMs === undefined || p.tail === undefined) return undefined;
      // A fault whose schedule is refused has no plan to judge against: the SLO's timing would only repeat that.
      if (scheduleProblem(fault, endMs, p.tail)) return undefined;
      return { atMs: fault.at, healMs: plannedHealMs(fault, endMs, p.tail) };
    },
    restoreStep(id) {
      const fault = each(p.faults).find(([f, i]) => faultId(f, i) === id)?.[0];
      if (!fault) return undefined;
      return fault.kind === "restore" ? { backup: fault.backup, point: fault.point } : null;
    },
    // A readback naming an unknown class was meant for one of them: which class lacks a readback is then unknowable.
    readbacks: readbacks && traffic && readbacks.every((r) => traffic.has(r.traffic)) ? readbacks.map((r) => ({ traffic: r.traffic, convergence: r.convergence !== undefined })) : undefined,
    trafficEndMs: endMs,
    tailMs: p.tail,
  };
}

// ---- safety, readback, secrets ----

export const checkSafetyTraffic: ScenarioCheck = (p, report) => {
  const traffic = trafficNames(p);
  if (!traffic) return;
  for (const [stop, i] of each(p.safety)) if (stop.traffic !== undefined && !traffic.has(stop.traffic)) report(["safety", i, "traffic"], traffic.unknown(stop.traffic));
};

export const checkReadbacks: ScenarioCheck = (p, report) => {
  const traffic = trafficNames(p);
  const nodes = nodeNames(p);
  const specs = each(nodesOf(p)).map(([n]) => n);
  const topology = p.topology;
  (p.readback ?? []).forEach((parsed, i) => {
    if (!parsed) {
      const salvaged = p.salvaged?.readback?.[i];
      if (salvaged?.traffic !== undefined && traffic && !traffic.has(salvaged.traffic)) report(["readback", i, "traffic"], traffic.unknown(salvaged.traffic));
      return;
    }
    const r = parsed;
    if (traffic && !traffic.has(r.traffic)) report(["readback", i, "traffic"], traffic.unknown(r.traffic));
    if (r.node !== undefined && r.from !== undefined) report(["readback", i, "from"], "give node or from, not both");
    const from = readbackFrom(r);
    if (!from) report(["readback", i, "node"], "expected node (a node name) or from ({ node } or { primaryOf: role })");
    if (!nodes) return;
    const publishes = (node: string, path: IssuePath) => {
      const spec = specs.find((n) => n.name === node);
      if (!spec) {
        if (!nodes.has(node)) report(path, nodes.unknown(node));
      } else if (!spec.ports.includes(r.port)) report(path, `node "${node}" does not publish port ${r.port} (ports: [${spec.ports.join(", ")}])`);
    };
    if (from && "node" in from) publishes(from.node, ["readback", i, r.from ? "from" : "node"]);
    else if (from && topology && !topology.roles[from.primaryOf])
      report(["readback", i, "from", "primaryOf"], `reading the primary of "${from.primaryOf}" needs topology.roles.${from.primaryOf}.primaryProbe`);
    else if (from && topology) specs.filter((n) => n.role === from.primaryOf).forEach((n) => publishes(n.name, ["readback", i, "from", "primaryOf"]));
    const c = r.convergence;
    if (c && "nodes" in c) c.nodes.forEach((n, j) => publishes(n, ["readback", i, "convergence", "nodes", j]));
    if (c && "role" in c) {
      const members = specs.filter((n) => n.role === c.role);
      if (members.length < 2 && nodesComplete(p))
        report(["readback", i, "convergence", "role"], `convergence needs at least 2 nodes of role "${c.role}", found ${members.length}`);
      members.forEach((n) => publishes(n.name, ["readback", i, "convergence", "role"]));
    }
  });
};

/** Every `${secret:NAME}` anywhere in the scenario names a declared secret. */
export const checkSecretReferences: ScenarioCheck = (p, report) => {
  const secrets = complete(p.secrets);
  if (!secrets) return;
  const { unparsed: _, ...parts } = p;
  const reported = new Set<string>();
  for (const [, name] of JSON.stringify(parts).matchAll(/\$\{secret:([^}]*)\}/g))
    if (!secrets.includes(name!) && !reported.has(name!)) {
      reported.add(name!);
      report(["secrets"], `\${secret:${name}} is used but "${name}" is not declared in secrets`);
    }
};

// ---- hosts ----

/**
 * Every host a node, a role's spread or a load generator names is declared (or is "local"), and what a node needs of
 * its host can be had there: a loop-ext4 (or lazyfs) disk is made and mounted on this machine, so a node elsewhere takes tmpfs.
 */
export const checkHostReferences: ScenarioCheck = (p, report) => {
  if (!p.hosts) return;
  const hosts = new Names("host", "hosts", [LOCAL_HOST, ...Object.keys(p.hosts)]);
  const topology = p.topology;
  if (topology) {
    topology.nodes.forEach((node, i) => {
      if (node.host !== undefined && !hosts.has(node.host)) report(["topology", "nodes", i, "host"], hosts.unknown(node.host));
    });
    for (const [role, list] of Object.entries(topology.spread))
      list.forEach((host, j) => {
        if (!hosts.has(host)) report(["topology", "spread", role, j], hosts.unknown(host));
      });
    const placed = placeNodes(topology.nodes, topology.spread);
    topology.nodes.forEach((node, i) => {
      const host = placed.get(node.name);
      const kind = node.dataVolume?.kind;
      if (host !== LOCAL_HOST && (kind === "loop-ext4" || kind === "lazyfs"))
        report(["topology", "nodes", i, "dataVolume", "kind"], `node "${node.name}" is on host "${host}", and a ${kind} disk is made and mounted on this machine; give it kind "tmpfs" or place it on "${LOCAL_HOST}"`);
    });
  }
  for (const [t, i] of each(p.traffic))
    if ("generators" in t && t.generators)
      t.generators.forEach((g, j) => {
        if (!hosts.has(g.host)) report(["traffic", i, "generators", j, "host"], hosts.unknown(g.host));
      });
};

// ---- suites: tags and the expected verdict ----

export const checkTags: ScenarioCheck = (p, report) =>
  duplicates(each(p.tags), (t) => t, (i, tag) => report(["tags", i], `duplicate tag "${tag}"`));

/** expectFailing names SLOs of this scenario, and only a control (expect: "fail") has it. */
export const checkExpectFailing: ScenarioCheck = (p, report) => {
  const named = each(p.expectFailing);
  if (named.length > 0 && p.expect === "pass") report(["expectFailing"], 'expectFailing names the SLOs a control must fail: it needs expect: "fail"');
  // An SLO that did not parse may carry the id: its salvaged id counts, and one that cannot be read makes none unknown.
  if (!p.slos) return;
  const ids = new Names("SLO id", "slos", each(p.slos).map(([s]) => s.id), p.unparsed?.slos);
  for (const [id, i] of named) if (!ids.has(id)) report(["expectFailing", i], ids.unknown(id));
};

/** Every check, in the order their problems read best (a file's order: traffic, faults, SLOs, ...). */
export const scenarioChecks: readonly ScenarioCheck[] = [
  checkHostReferences,
  checkSecretReferences,
  checkTrafficNames,
  checkTrafficSecrets,
  checkTrafficTargets,
  checkFaultIds,
  checkFaultTargets,
  checkFaultSchedule,
  checkRandomFaultWindow,
  checkFaultGenerator,
  checkReadbacks,
  checkSloIds,
  checkSloReferences,
  checkSafetyTraffic,
  checkTags,
  checkExpectFailing,
];

export function runScenarioChecks(parts: ScenarioParts, report: Report): void {
  for (const check of scenarioChecks) check(parts, report);
}
