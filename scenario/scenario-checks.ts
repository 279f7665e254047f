import { nearest } from "../core/did-you-mean.ts";
import { Names } from "../core/names.ts";
import { LOCAL_HOST, placeNodes } from "../core/hosts.ts";
import type { IssuePath, Report, ScenarioView } from "../core/scenario-view.ts";
import { faultId, faultKind, type FaultSpec } from "../faults/registry.ts";
import { readbackFrom } from "../env/readback/registry.ts";
import type { Scenario } from "./scenario.ts";
import { selectorPool } from "../core/selector.ts";
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

/**
 * The parts of a scenario that parsed. A part that did not is absent; a list keeps one entry per element written,
 * undefined where that element did not parse. `unparsed` names what elements that did not parse declared (node
 * names, traffic class names, fault ids; undefined where it cannot be read), so a reference to one of them is not
 * called unknown.
 */
export type ScenarioParts = { [K in keyof Scenario]?: Part<Scenario[K]> } & {
  unparsed?: { nodes?: (string | undefined)[]; traffic?: (string | undefined)[]; faults?: (string | undefined)[] };
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

const nodeNames = (p: ScenarioParts) => (p.topology ? new Names("node", "nodes", p.topology.nodes.map((n) => n.name), p.unparsed?.nodes) : undefined);
const trafficNames = (p: ScenarioParts) => (p.traffic ? new Names("traffic class", "traffic classes", each(p.traffic).map(([t]) => t.name), p.unparsed?.traffic) : undefined);
const faultIds = (p: ScenarioParts) => (p.faults ? new Names("fault id", "fault ids", each(p.faults).map(([f, i]) => faultId(f, i)), p.unparsed?.faults) : undefined);

/** End of traffic (the longest class), ms from traffic start; undefined unless every class parsed. */
function trafficEndMs(p: ScenarioParts): number | undefined {
  const traffic = complete(p.traffic);
  return traffic && traffic.length > 0 ? Math.max(...traffic.map((t) => t.duration)) : undefined;
}

/** When the plan heals a fault: `at + for`, else `tail` before the end of traffic (as engine/runner/plan.ts does). */
function plannedHealMs(fault: Pick<FaultSpec, "at" | "for">, endMs: number, tailMs: number): number {
  return fault.for !== undefined ? fault.at + fault.for : Math.max(fault.at, endMs - tailMs);
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

// ---- traffic ----

export const checkTrafficNames: ScenarioCheck = (p, report) =>
  duplicates(each(p.traffic), (t) => t.name, (i, name) => report(["traffic", i, "name"], `duplicate traffic class "${name}"`));

export const checkTrafficSecrets: ScenarioCheck = (p, report) => {
  const secrets = complete(p.secrets);
  if (!secrets) return;
  for (const [t, i] of each(p.traffic))
    if ("keySecret" in t && t.keySecret !== undefined && !secrets.includes(t.keySecret)) report(["traffic", i, "keySecret"], `secret "${t.keySecret}" is not declared in secrets [${secrets.join(", ")}]`);
};

export const checkTrafficTargets: ScenarioCheck = (p, report) => {
  const nodes = nodeNames(p);
  if (!p.topology || !nodes) return;
  for (const [t, i] of each(p.traffic)) {
    // A class that holds a list of servers is checked server by server (its kind's targets()).
    trafficTargets(t).forEach((target, j) => {
      const path = "servers" in t && t.servers ? ["traffic", i, "servers", j] : ["traffic", i, "target"];
      const node = p.topology!.nodes.find((n) => n.name === target.node);
      if (!node) {
        if (!nodes.has(target.node)) report([...path, "node"], nodes.unknown(target.node));
      } else if (!node.ports.includes(target.port)) report([...path, "port"], `port ${target.port} is not published by "${node.name}" (ports: [${node.ports.join(", ")}])`);
    });
  }
};

// ---- faults ----

export const checkFaultIds: ScenarioCheck = (p, report) =>
  duplicates(each(p.faults), (f, i) => faultId(f, i), (i, id) => report(["faults", i, "id"], `duplicate fault id "${id}"`));

/** Every scheduled fault and every random-fault template against the topology. */
export const checkFaultTargets: ScenarioCheck = (p, report) => {
  for (const [f, i] of each(p.faults)) checkFaultAgainstTopology(f, ["faults", i], p, report);
  p.randomFaults?.choices.forEach((f, i) => checkFaultAgainstTopology(f, ["randomFaults", "choices", i], p, report));
};

/**
 * A fault's selector matches and can take what its mode asks (a role with a primary probe, a minority of at least
 * three), then the fault checks what its kind needs of the scenario (faults/<kind>.ts: a declared link, zones,
 * volumes, two sides to cut).
 */
function checkFaultAgainstTopology(f: FaultSpec, path: IssuePath, p: ScenarioParts, report: Report): void {
  const topology = p.topology;
  const nodes = nodeNames(p);
  if (!topology || !nodes) return;
  const at = (...rest: IssuePath) => [...path, ...rest];
  f.target.names?.forEach((name, j) => {
    if (!nodes.has(name)) report(at("target", "names", j), nodes.unknown(name));
  });
  if (f.target.mode === "primary" && f.target.role && !topology.roles[f.target.role])
    report(at("target", "role"), `mode "primary" needs topology.roles.${f.target.role}.primaryProbe`);
  faultKind(f).check?.(f, scenarioView(p), report, path);
  // The rest counts the pool, which a node that did not parse might belong to.
  if (!nodesComplete(p)) return;
  const pool = selectorPool(f.target, topology.nodes);
  if (pool.length === 0) {
    if (f.target.names) return; // every name is unknown, each reported above
    const roles = [...new Set(topology.nodes.flatMap((n) => n.role ?? []))];
    const meant = f.target.role !== undefined ? nearest(f.target.role, roles) : undefined;
    report(at("target"), `selector matches no node: no node has role "${f.target.role}"${meant ? ` (did you mean "${meant}"?)` : ""} (roles: ${roles.join(", ") || "none"})`);
    return;
  }
  // A link fault acts on its link; its target is only listed in reports, so how many it takes does not matter.
  if (faultKind(f).effect === "link") return;
  if (f.target.mode === "minority" && pool.length < 3)
    report(at("target", "mode"), `a strict minority needs a pool of at least 3 nodes, and [${pool.join(", ")}] has ${pool.length}: one of them is not a minority; give mode "one"`);
}

export const checkFaultSchedule: ScenarioCheck = (p, report) => {
  const endMs = trafficEndMs(p);
  if (endMs === undefined || p.tail === undefined) return;
  const tail = p.tail;
  for (const [f, i] of each(p.faults)) {
    if (f.at >= endMs) report(["faults", i, "at"], `fault at ${f.at} ms is not before the end of traffic (${endMs} ms)`);
    else if (f.for !== undefined && f.at + f.for > endMs - tail)
      report(["faults", i, "for"], `fault heals at ${f.at + f.for} ms, later than the end of traffic (${endMs} ms) minus the fault-free tail (${tail} ms)`);
  }
};

export const checkRandomFaultWindow: ScenarioCheck = (p, report) => {
  const endMs = trafficEndMs(p);
  if (!p.randomFaults || endMs === undefined || p.tail === undefined) return;
  if (p.randomFaults.to > endMs - p.tail) report(["randomFaults", "to"], `random faults must heal by ${endMs - p.tail} ms (end of traffic minus the tail)`);
};

// ---- SLOs ----

export const checkSloIds: ScenarioCheck = (p, report) => duplicates(each(p.slos), (s) => s.id, (i, id) => report(["slos", i, "id"], `duplicate SLO id "${id}"`));

/** Every SLO names a known traffic class, then checks what its kind needs of the scenario (judge/slos/<kind>.ts). */
export const checkSloReferences: ScenarioCheck = (p, report) => {
  const view = scenarioView(p);
  for (const [slo, i] of each(p.slos)) {
    if (view.traffic && !view.traffic.has(slo.traffic)) report(["slos", i, "traffic"], view.traffic.unknown(slo.traffic));
    sloKind(slo).validate?.(slo, view, report, ["slos", i]);
  }
};

/** What the kinds may know of this scenario (core/scenario-view.ts), from the parts that parsed. */
export function scenarioView(p: ScenarioParts): ScenarioView {
  const endMs = trafficEndMs(p);
  const readbacks = complete(p.readback);
  return {
    nodes: nodeNames(p),
    topology: p.topology,
    nodesComplete: nodesComplete(p),
    traffic: trafficNames(p),
    trafficClass(name) {
      const c = each(p.traffic).find(([t]) => t.name === name)?.[0];
      return c && { durationMs: c.duration, checksReadYourWrites: trafficKind(c).checksReadYourWrites(c) };
    },
    faults: faultIds(p),
    plannedFault(id) {
      const fault = each(p.faults).find(([f, i]) => faultId(f, i) === id)?.[0];
      if (!fault || endMs === undefined || p.tail === undefined) return undefined;
      return { atMs: fault.at, healMs: plannedHealMs(fault, endMs, p.tail) };
    },
    readbacks: readbacks?.map((r) => ({ traffic: r.traffic, convergence: r.convergence !== undefined })),
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
  const topology = p.topology;
  for (const [r, i] of each(p.readback)) {
    if (traffic && !traffic.has(r.traffic)) report(["readback", i, "traffic"], traffic.unknown(r.traffic));
    if (r.node !== undefined && r.from !== undefined) report(["readback", i, "from"], "give node or from, not both");
    const from = readbackFrom(r);
    if (!from) report(["readback", i, "node"], "expected node (a node name) or from ({ node } or { primaryOf: role })");
    if (!topology || !nodes) continue;
    const publishes = (node: string, path: IssuePath) => {
      const spec = topology.nodes.find((n) => n.name === node);
      if (!spec) {
        if (!nodes.has(node)) report(path, nodes.unknown(node));
      } else if (!spec.ports.includes(r.port)) report(path, `node "${node}" does not publish port ${r.port} (ports: [${spec.ports.join(", ")}])`);
    };
    if (from && "node" in from) publishes(from.node, ["readback", i, r.from ? "from" : "node"]);
    else if (from && !topology.roles[from.primaryOf])
      report(["readback", i, "from", "primaryOf"], `reading the primary of "${from.primaryOf}" needs topology.roles.${from.primaryOf}.primaryProbe`);
    else if (from) topology.nodes.filter((n) => n.role === from.primaryOf).forEach((n) => publishes(n.name, ["readback", i, "from", "primaryOf"]));
    const c = r.convergence;
    if (c && "nodes" in c) c.nodes.forEach((n, j) => publishes(n, ["readback", i, "convergence", "nodes", j]));
    if (c && "role" in c) {
      const members = topology.nodes.filter((n) => n.role === c.role);
      if (members.length < 2 && nodesComplete(p))
        report(["readback", i, "convergence", "role"], `convergence needs at least 2 nodes of role "${c.role}", found ${members.length}`);
      members.forEach((n) => publishes(n.name, ["readback", i, "convergence", "role"]));
    }
  }
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
 * its host can be had there: a loop-ext4 disk is made and mounted on this machine, so a node elsewhere takes tmpfs.
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
      if (host !== LOCAL_HOST && node.dataVolume?.kind === "loop-ext4")
        report(["topology", "nodes", i, "dataVolume", "kind"], `node "${node.name}" is on host "${host}", and a loop-ext4 disk is made and mounted on this machine; give it kind "tmpfs" or place it on "${LOCAL_HOST}"`);
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
  // An SLO that did not parse may carry the id: only a complete list can call one unknown.
  const slos = complete(p.slos);
  if (!slos) return;
  const ids = new Names("SLO id", "slos", slos.map((s) => s.id));
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
