import type { RunClock } from "../../core/clock.ts";
import { errorMessage } from "../../core/errors.ts";
import type { LeaderChange, ProbeSeries } from "../../core/history.ts";
import type { Logger } from "../../core/log.ts";
import { probeName, type ProbeCheck, type ProbeSpec } from "../../core/probe-spec.ts";
import type { Topology } from "../../core/topology.ts";
import { EngineCallError } from "../docker/engine-calls.ts";
import { execInContainer } from "../docker/exec.ts";
import { assertOwnTarget } from "../target-guard.ts";
import type { StartedTopology } from "../topology/started-topology.ts";

/**
 * A line of a series probe's output: `<series> <number>`, optionally followed by a state word (`lag_s 12.5
 * disconnected`). Anything else (stderr, headers) is skipped.
 */
const SERIES_LINE = /^(\S+)\s+(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?:\s+([a-z][a-z-]*))?\s*$/i;

/** What one check of one node answered. */
type Answer = { kind: "ok"; exitCode: number; output: string } | { kind: "no-answer"; why: string };

/**
 * Samples the topology's probes on the run clock (every `probeSettings.interval`), from traffic start until stop():
 * leader probes record which nodes of a role lead (a change is a LeaderChange, passed to `onLeaderChange` as it
 * happens), series probes record numbers per node. Probes only look: exec of read-only commands, HTTP GETs on the
 * run's own published ports. A probe still running when its next tick comes skips that tick.
 */
export class ProbeSampler {
  readonly #series = new Map<string, ProbeSeries>();
  readonly #leaderChanges: LeaderChange[] = [];
  readonly #lastLeaders = new Map<string, string[]>();
  readonly #busy = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #samples = 0;
  #warned = new Set<string>();

  constructor(
    private readonly topology: StartedTopology,
    private readonly spec: Pick<Topology, "probes" | "probeSettings" | "roles">,
    private readonly clock: RunClock,
    private readonly log: Logger,
    private readonly onLeaderChange: (change: LeaderChange) => void = () => undefined,
    /** An exec probe's engine call failed or hung: the harness could not look, which is not the node's answer. */
    private readonly onEngineFailure: (message: string) => void = () => undefined,
  ) {}

  start(): void {
    if (this.spec.probes.length === 0 || this.#timer) return;
    void this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.spec.probeSettings.interval);
  }

  /** Stops sampling; samples still under way finish in the background and are ignored. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** What was sampled, for the History (undefined when the topology declares no probe). */
  result(): { series: ProbeSeries[]; leaderChanges: LeaderChange[]; samples: number } | undefined {
    if (this.spec.probes.length === 0) return undefined;
    return { series: [...this.#series.values()], leaderChanges: [...this.#leaderChanges], samples: this.#samples };
  }

  async #tick(): Promise<void> {
    if (!this.#timer && this.#samples > 0) return;
    await Promise.all(
      this.spec.probes.map(async (probe) => {
        const name = probeName(probe);
        if (this.#busy.has(name)) return;
        this.#busy.add(name);
        try {
          const atMs = Math.round(this.clock.nowMs() ?? 0);
          if (probe.kind === "leader") await this.#sampleLeader(probe, name, atMs);
          else await this.#sampleSeries(probe, name, atMs);
          this.#samples++;
        } catch (error) {
          this.#warnOnce(name, `probe ${name} failed: ${errorMessage(error)}`);
        } finally {
          this.#busy.delete(name);
        }
      }),
    );
  }

  async #sampleLeader(probe: Extract<ProbeSpec, { kind: "leader" }>, name: string, atMs: number): Promise<void> {
    const role = this.spec.roles[probe.role];
    const check: ProbeCheck = probe.check ?? { kind: "exec", command: role!.primaryProbe, ...(role!.expect !== undefined ? { expect: role!.expect } : {}) };
    const nodes = this.#nodesOf({ role: probe.role });
    const answers = await Promise.all(nodes.map(async (node) => [node, await this.#ask(node, check)] as const));
    const leaders = answers.filter(([, a]) => leads(check, a)).map(([node]) => node);
    const unreachable = answers.filter(([, a]) => a.kind === "no-answer").map(([node]) => node);
    const previous = this.#lastLeaders.get(name);
    if (previous !== undefined && sameSet(previous, leaders)) return;
    this.#lastLeaders.set(name, leaders);
    const change: LeaderChange = { probe: name, role: probe.role, atMs, leaders, unreachable, previous: previous ?? [] };
    this.#leaderChanges.push(change);
    this.onLeaderChange(change);
  }

  async #sampleSeries(probe: Extract<ProbeSpec, { kind: "series" }>, name: string, atMs: number): Promise<void> {
    const nodes = this.#nodesOf(probe);
    await Promise.all(
      nodes.map(async (node) => {
        const answer = await this.#ask(node, probe.check);
        const seen = new Set<string>();
        for (const line of answer.kind === "ok" ? answer.output.split("\n") : []) {
          const match = SERIES_LINE.exec(line.trim());
          if (!match) continue;
          const key = `${name}\u0000${node}\u0000${match[1]}`;
          let series = this.#series.get(key);
          if (!series) {
            series = { probe: name, node, series: match[1]!, unit: probe.unit, points: [] };
            this.#series.set(key, series);
          }
          seen.add(key);
          series.points.push([atMs, Number(match[2])]);
          if (match[3]) (series.states ??= []).push([atMs, match[3]]);
        }
        // A node that did not answer, or gave no line for a series it had: a gap in that series, not a line across it.
        for (const [key, series] of this.#series) if (series.probe === name && series.node === node && !seen.has(key)) series.points.push([atMs, null]);
      }),
    );
  }

  #nodesOf(selector: { role?: string | undefined; nodes?: string[] | undefined }): string[] {
    if (selector.nodes) return selector.nodes;
    return [...this.topology.nodes.values()].filter((n) => n.spec.role === selector.role).map((n) => n.name);
  }

  async #ask(node: string, check: ProbeCheck): Promise<Answer> {
    const timeoutMs = this.spec.probeSettings.timeout;
    try {
      if (check.kind === "exec") {
        const result = await execInContainer(this.topology.container(node), check.command, timeoutMs);
        return { kind: "ok", exitCode: result.exitCode, output: result.output };
      }
      const url = `${this.topology.baseUrl(node, check.port)}${check.path}`;
      assertOwnTarget(url, this.topology, `probe of ${node}`);
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return { kind: "ok", exitCode: response.status, output: await response.text() };
    } catch (error) {
      if (error instanceof EngineCallError) this.onEngineFailure(`probe of node "${node}": ${errorMessage(error)}`);
      return { kind: "no-answer", why: errorMessage(error) };
    }
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.log.warn(message);
  }
}

/** A leader check's verdict: exec exits 0 (and prints `expect` if given); http answers `status`. */
function leads(check: ProbeCheck, answer: Answer): boolean {
  if (answer.kind !== "ok") return false;
  if (check.kind === "http") return answer.exitCode === check.status;
  return answer.exitCode === 0 && (check.expect === undefined || answer.output.trim() === check.expect);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
