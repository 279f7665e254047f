import type { Logger } from "../core/log.ts";
import type { RunClock } from "../core/clock.ts";
import type { FaultSpec } from "../core/fault-spec.ts";
import type { Rng } from "../core/rng.ts";
import type { ContainerEventWatcher } from "../env/docker/container-events.ts";
import type { StartedTopology } from "../env/topology/started-topology.ts";

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
  /** Undoes the fault; resolves with the time the heal completed, ms from traffic start. */
  heal(): Promise<number>;
}

/** One fault kind: inject on resolved targets, verify the effect, return a handle. */
export interface FaultKindImpl<S extends FaultSpec> {
  kind: S["kind"];
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

/** Implementations of some fault kinds, keyed by kind (one map per family, merged in faults/registry.ts). */
export type FaultImpls<K extends FaultSpec["kind"]> = { [P in K]: FaultKindImpl<Extract<FaultSpec, { kind: P }>> };
