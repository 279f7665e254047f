import { join } from "node:path";
import type { RunClock } from "../../core/clock.ts";
import type { Logger } from "../../core/log.ts";
import type { ReadbackRecord, ReplicaRead, TimelineBucket } from "../../core/history.ts";
import type { PinnedImages } from "../../env/bootstrap/pin-images.ts";
import type { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { Engines } from "../../env/docker/engines.ts";
import type { ImagePresence } from "../../env/docker/image-transfer.ts";
import type { HostPlacement } from "../../scenario/hosts-used.ts";
import type { ProbeSampler } from "../../env/probes/probe-sampler.ts";
import type { RunSecrets } from "../../env/secrets.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import type { RunStatus } from "../../judge/report-schema.ts";
import type { K6Result } from "../../load/k6-process.ts";
import type { TrafficRun } from "../../load/start-traffic.ts";
import type { HarnessCostMeter } from "../../load/harness-cost.ts";
import type { HarnessCost } from "../../core/harness-cost.ts";
import type { Plan } from "../../scenario/plan.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { ControlMonitor } from "./control-monitor.ts";
import type { EventLog } from "./event-log.ts";
import type { FaultSchedule } from "./fault-schedule.ts";
import type { SafetyMonitor } from "./safety-monitor.ts";

/** What the readback stage read of one traffic class's store. */
export interface ReadbackResult {
  ids: string[] | null;
  record: ReadbackRecord;
  convergence?: ReplicaRead[];
}

/**
 * One run as it goes: what every stage (engine/runner/stages/) reads and leaves for the next. Each stage fills its
 * own fields; teardown reads whichever exist, so a run cut short at any stage still heals, stops and removes
 * what it started.
 */
export class RunState {
  /** How the run is going: completed until something ends it otherwise (the first reason wins). */
  status: RunStatus = "completed";
  reason: string | null = null;
  phase = "setup";
  readonly startedAt = new Date();
  readonly buckets: TimelineBucket[] = [];
  readonly k6Results = new Map<string, K6Result>();
  readonly stored = new Map<string, ReadbackResult>();
  /** Bundled scripts and loaded journeys, by traffic class (load/start-traffic.ts prepareTraffic). */
  prepared = new Map<string, string>();
  /** The engines of the run: this machine's, and each declared host's (connected and checked in "prepare"). */
  engines: Engines = Engines.localOnly();
  /** Where the nodes and generators go (scenario/hosts-used.ts). */
  placement?: HostPlacement;
  /** Per remote host, the images copied there: local reference -> its id there (stage "bootstrap"). */
  hostImages = new Map<string, Map<string, ImagePresence>>();
  watcher?: ContainerEventWatcher;
  pinned?: PinnedImages;
  topology?: StartedTopology;
  traffic?: TrafficRun;
  schedule?: FaultSchedule;
  probes?: ProbeSampler;
  control?: ControlMonitor;
  safety?: SafetyMonitor;
  stopTicker?: () => void;
  /** Measures the CPU the harness and its k6 children take while traffic runs (load/harness-cost.ts). */
  costMeter?: HarnessCostMeter;
  harnessCost?: HarnessCost;
  /** ms from traffic start at which a signal ended the run early; undefined for a run that ran its course. */
  endedEarlyAtMs?: number;
  /** The first failure of the harness's own I/O (core/io-failure.ts), as one line: the run is an error, exit 3. */
  ioFailure?: string;

  constructor(
    readonly runId: string,
    readonly runDir: string,
    readonly file: string,
    readonly scenario: Scenario,
    readonly plan: Plan,
    readonly clock: RunClock,
    readonly secrets: RunSecrets,
    readonly events: EventLog,
    readonly log: Logger,
    /** Aborted by the CLI on SIGINT/SIGTERM. */
    readonly signal: AbortSignal,
    /** Stops injecting (a signal, a safety stop, a lost grip); traffic stops only on a signal or a lost grip. */
    readonly stopFaults: AbortController,
  ) {}

  get seed(): number {
    return this.plan.seed;
  }

  /** The reference a node or generator image has on `host`: the id of its copy on a remote engine, else itself. */
  imageOn(host: string, image: string): string {
    return this.hostImages.get(host)?.get(image)?.id ?? image;
  }

  path(name: string): string {
    return join(this.runDir, name);
  }

  setPhase(next: string): void {
    this.phase = next;
    this.events.write({ type: "phase", phase: next });
  }

  /** Ends the run otherwise than completed; the first reason stays, unless it is one of `replaces`. */
  fail(next: RunStatus, why: string, replaces: readonly RunStatus[] = []): void {
    if (this.status !== "completed" && !replaces.includes(this.status)) return;
    this.status = next;
    this.reason = why;
    this.log.warn(`${next}: ${why}`);
  }

  /**
   * The harness could not write its own record (events, ledger, history, a report): the run ends as an error
   * (exit 3) with that one line. Up to readback the record is incomplete from that moment, so the control monitor
   * voids the verdicts (and stops faults and traffic); later, the verdicts stand but the run is still an error.
   */
  harnessIoFailed(message: string): void {
    if (this.ioFailure !== undefined) return;
    this.ioFailure = message;
    const beforeJudging = ["setup", "bootstrap", "starting", "traffic", "readback"].includes(this.phase);
    if (beforeJudging && this.control && !this.control.loss) this.control.lost(message);
    else this.fail("error", message);
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw new Error(`aborted by ${String(this.signal.reason)}`);
  }
}
