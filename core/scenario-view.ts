import type { Names } from "./names.ts";
import type { Topology } from "./topology.ts";

/** Where in a scenario a problem is: keys and list indexes from the root. */
export type IssuePath = (string | number)[];
/** Receives one problem: where in the scenario, and what is wrong. */
export type Report = (path: IssuePath, message: string) => void;

/**
 * What a plug-in kind may know of the rest of its scenario when it checks itself (an SLO and its traffic class, a
 * fault and the topology), built once per file by scenario/scenario-checks.ts from the parts that parsed. Every part
 * may be missing (it did not parse; its own problems are reported by its schema), so a check reads what it needs
 * and skips what is not there. A reference to a name written in an element that did not parse is never unknown.
 */
export interface ScenarioView {
  /** Node names (undefined: no topology parsed). */
  nodes: Names | undefined;
  /** The topology, when it parsed. */
  topology: Topology | undefined;
  /** Whether every node parsed; otherwise a selector's pool may hold a node that did not, and its size is unknowable. */
  nodesComplete: boolean;
  /** Traffic class names. */
  traffic: Names | undefined;
  /** A parsed traffic class: how long it runs and whether its reads check the client's own writes. */
  trafficClass(name: string): { durationMs: number; checksReadYourWrites: boolean; script?: string; workload?: string } | undefined;
  /** Fault ids. */
  faults: Names | undefined;
  /** A parsed scheduled fault by id: when the plan injects and heals it (undefined unless the end of traffic is known). */
  plannedFault(id: string): { atMs: number; healMs: number } | undefined;
  /**
   * A parsed restore step by id (faults/restore.ts): the backup it restores and to which point; null when the id
   * is a fault of another kind; undefined when unknown or not parsed.
   */
  restoreStep(id: string): { backup: string; point: "last-backup" | "newest-archived" } | null | undefined;
  /** The readbacks, when every one parsed. */
  readbacks: { traffic: string; convergence: boolean }[] | undefined;
  /** End of traffic (the longest class) and the fault-free tail, ms, when they can be known. */
  trafficEndMs: number | undefined;
  tailMs: number | undefined;
}
