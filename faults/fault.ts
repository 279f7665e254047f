import type { Logger } from "../core/log.ts";
import type { RunClock } from "../core/clock.ts";
import type { z } from "zod";
import type { IssuePath, Report, ScenarioView } from "../core/scenario-view.ts";
import type { Rng } from "../core/rng.ts";
import type { ContainerEventWatcher } from "../env/docker/container-events.ts";
import type { StartedTopology } from "../env/topology/started-topology.ts";
import type { BackupSpec } from "../core/topology.ts";
import type { BackupRecord } from "../core/history.ts";

/** What a fault may use: the running topology, the run clock, container events, and a logger. */
export interface FaultContext {
  /** Seeded per fault from the run's seed, for choices made at injection (e.g. partition halves). */
  rng?: Rng;
  topology: StartedTopology;
  clock: RunClock;
  events: ContainerEventWatcher;
  log: Logger;
  /**
   * How network faults enter the targets' namespaces (faults/network/netns-shell.ts): "host" (nsenter) or
   * "sidecar" (a container per node). Default: $HAVOC_NETNS_ACCESS, else host where this machine can, else sidecar.
   */
  netnsAccess?: "host" | "sidecar";
  /** The topology's backups (core/topology.ts `backups`), for restore steps. Default none. */
  backups?: readonly BackupSpec[];
}

/**
 * A fault that is in effect. heal() is idempotent (a second call returns the first call's result) and
 * succeeds when the target is already gone (Jepsen partitioner, Chaos Mesh Recover).
 */
export interface FaultHandle {
  /** When the effect began, ms from traffic start (Docker event time where one exists). */
  readonly injectedAtMs: number;
  /** How it was done, e.g. "docker kill SIGKILL". */
  readonly mechanism: string;
  readonly notes: string[];
  /** The backups a restore step found, on the run clock (core/history.ts BackupRecord). */
  readonly backups?: BackupRecord[];
  /** Undoes the fault; resolves with the time the heal completed, ms from traffic start. */
  heal(): Promise<number>;
}

/**
 * One fault kind (`kind` in a scenario): its schema, what it needs of the scenario, and how it is injected on
 * resolved targets (verify the effect, return a handle). Every kind is one file of faults/ exporting one of these,
 * listed once in faults/registry.ts.
 */
export interface FaultKind<S extends { kind: string } = { kind: string }> {
  kind: S["kind"];
  /** The fault's fields (a zod object with `kind` as a literal and the scheduled fields of fault-fields.ts). */
  schema: z.ZodType<S, unknown>;
  /**
   * What the fault does to its targets, for fault generators' limits: "down" takes them out of service (killed,
   * stopped, paused, cut off), "degraded" slows or stresses them, "link" acts on a link, not on nodes.
   */
  effect: "down" | "degraded" | "link";
  /**
   * Images its injection starts beside a target (a network sidecar, a stress sidecar): they must be present on the
   * engine of every host with nodes (copied there when the run starts). Default none.
   */
  sidecarImages?: readonly string[];
  /** What the kind needs of the scenario beyond its schema (a declared link, zones, volumes, two sides to cut). */
  check?(spec: S, view: ScenarioView, report: Report, path: IssuePath): void;
  inject(ctx: FaultContext, spec: S, targets: readonly string[]): Promise<FaultHandle>;
}

/** Wraps a heal function so it runs once; later calls share the first call's promise. */
export function healOnce(heal: () => Promise<number>): () => Promise<number> {
  let healing: Promise<number> | undefined;
  return () => (healing ??= heal());
}

/** ms from traffic start; faults only run after traffic started, so the clock has an origin. */
export function runMs(clock: RunClock, epochMs = clock.epochNow()): number {
  const ms = clock.toRunMs(epochMs);
  if (ms === null) throw new Error("fault used before traffic started (run clock has no origin)");
  return Math.round(ms);
}

/** Ignores Docker's "already in that state" (304, 409) and "gone" (404) answers, so heals are idempotent. */
export async function ignoreDockerNoop(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 304 || status === 404 || status === 409) return;
    throw error;
  }
}


