import type { z } from "zod";
import type { OpRecord } from "../../core/history.ts";
import type { Logger } from "../../core/log.ts";
import type { K6Result } from "../k6-process.ts";
import type { BrowserResult } from "../browser-journey.ts";
import type { Engine } from "../../env/docker/engines.ts";
import type { TrafficTarget } from "./common.ts";

/**
 * The end of one traffic class. For a k6 class split over several processes the counts are summed and `exitCode`
 * is the first non-zero one; `processes` keeps each process's own result. For a browser class httpReqs counts steps,
 * iterations journeys and droppedIterations the starts dropped because every context was busy. (Shaped as a
 * K6Result so the runner treats every class alike.)
 */
export interface TrafficClassResult extends K6Result {
  kind: string;
  processes: K6Result[];
  browser?: BrowserResult;
}

/** What a class needs from the run to start. */
export interface LaunchContext {
  /** The target's 127.0.0.1 URL; throws (before anything is sent) unless the run's own containers publish it. */
  url(target: TrafficTarget): string;
  /** A per-run secret's value. */
  secret(name: string): string;
  /** Replaces `${secret:NAME}` in values. */
  resolveSecrets(env: Record<string, string>): Record<string, string>;
  runId: string;
  runDir: string;
  /** The run clock's origin (traffic start), epoch ms: ops a kind records itself count their times from it. */
  originEpochMs: number;
  k6Path: string;
  chromiumPath: string;
  /** What `prepare` made for a class (e.g. its bundled k6 script), by class name. */
  prepared(name: string): string | undefined;
  log: Logger;
  onOp(op: OpRecord): void;
  onDropped(traffic: string, epochMs: number, count: number): void;
  onLog(label: string, line: string): void;
  /** Hosts besides loopback that `url()` may answer with (declared hosts' addresses), for the scripts' own guard. */
  targetHosts?: readonly string[];
  /** Where a load generator container runs on `host` to reach `targets` (a k6 class's `generators`). */
  generatorSite?(host: string, targets: readonly TrafficTarget[]): GeneratorSite;
}

/** What a load generator container on one host needs from the run. */
export interface GeneratorSite {
  engine: Engine;
  /** The k6 image's reference on that engine. */
  image: string;
  /** The run's Docker networks that reach every target (the container joins them). */
  networks: string[];
  /** A target's URL inside those networks (node name and container port); throws unless it is the run's own node. */
  url(target: TrafficTarget): string;
  /** The container's name for a generator label. */
  containerName(label: string): string;
}

export interface RunningTraffic {
  done: Promise<TrafficClassResult>;
  /** Stops the class's load generators early. Idempotent. */
  stop(): Promise<void>;
}

/**
 * One kind of traffic (`script` in a scenario): its schema and how it runs. Every kind is one file of load/traffic/
 * exporting one of these, listed once in registry.ts.
 */
export interface TrafficKind<C extends { script: string; name: string } = { script: string; name: string }> {
  script: C["script"];
  /** The class's fields, validated with every problem named (a zod object with `script` as a literal). */
  schema: z.ZodType<C, unknown>;
  /** Where the class sends requests (each must be a published port of the run's own nodes). */
  targets(c: C): TrafficTarget[];
  /** Whether its reads check the client's own last acknowledged write (what the stale-reads SLO needs). */
  checksReadYourWrites(c: C): boolean;
  /** Fields holding a path relative to the scenario file, made absolute when the scenario is loaded. */
  files: readonly string[];
  /** Work before anything starts (bundling a script): returns a path kept for launch; an error here is bad input. */
  prepare?(c: C, runDir: string): Promise<string>;
  launch(c: C, ctx: LaunchContext): RunningTraffic;
}
