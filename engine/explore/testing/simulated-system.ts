import { createRng } from "../../../core/rng.ts";

/** A fault as the simulated system sees it (GeneratedFault and ShrinkFault both fit). */
export interface SimulatedFault {
  kind: string;
  targets: readonly string[];
  atMs: number;
  healAtMs: number;
}

/** The system fails `slo` when a `first` fault on its node and a `second` fault on its node are active together. */
export interface OverlapTrigger {
  slo: string;
  first: { kind: string; node: string };
  second: { kind: string; node: string };
  /** Shorter overlaps are harmless (default 1 ms: any overlap). */
  minOverlapMs?: number;
}

export interface SimulatedSystemOptions {
  triggers: OverlapTrigger[];
  /** When a trigger's overlap is present, the SLO fails with this probability per run (default 1: always). */
  failProbability?: number;
  /**
   * A loaded host: each trigger's SLO also fails with this probability in a run whatever the faults (a stalled host
   * makes a harmless plan fail now and then). Default 0.
   */
  noise?: number;
  /** Seeds the flakiness, with the attempt number. */
  seed?: number;
  /**
   * How long a fault of this kind still acts after its heal (e.g. { kill: 2000 }: a killed server is down until it
   * has started again). Overlaps are judged on the effects, not on the plan's times. Default none.
   */
  aftermathMs?: Record<string, number>;
}

export interface SimulatedOutcome {
  failed: boolean;
  failedSlos: string[];
}

export interface SimulatedSystem {
  /** The triggers whose overlap the plan contains (what a perfectly reliable run would fail). */
  triggered(faults: readonly SimulatedFault[]): string[];
  /** One run: each triggered SLO fails with the configured probability, drawn from (seed, attempt). */
  run(faults: readonly SimulatedFault[], attempt: number): SimulatedOutcome;
}

/**
 * A pure stand-in for a real system under faults: it breaks only where two specific faults overlap in time on
 * specific nodes, the kind of failure a fixed fault list rarely hits. Tests of the generator, explore and shrink
 * use it with fake time.
 */
export function createSimulatedSystem(options: SimulatedSystemOptions): SimulatedSystem {
  const p = options.failProbability ?? 1;
  const noise = options.noise ?? 0;
  const seed = options.seed ?? 0;
  const hits = (fault: SimulatedFault, want: { kind: string; node: string }) => fault.kind === want.kind && fault.targets.includes(want.node);
  const withAftermath = (f: SimulatedFault): SimulatedFault => ({ ...f, healAtMs: f.healAtMs + (options.aftermathMs?.[f.kind] ?? 0) });
  const triggered = (planned: readonly SimulatedFault[]) => {
    const faults = planned.map(withAftermath);
    return options.triggers
      .filter((t) =>
        faults.some((a) => hits(a, t.first) && faults.some((b) => b !== a && hits(b, t.second) && Math.min(a.healAtMs, b.healAtMs) - Math.max(a.atMs, b.atMs) >= (t.minOverlapMs ?? 1))),
      )
      .map((t) => t.slo);
  };
  return {
    triggered: (faults) => [...new Set(triggered(faults))].sort(),
    run(faults, attempt) {
      const rng = createRng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(attempt + 1, 0x85ebca6b)) >>> 0);
      const hit = new Set(triggered(faults));
      const failedSlos = [...new Set(options.triggers.map((t) => t.slo))].sort().filter((slo) => {
        const draw = rng.next();
        return hit.has(slo) ? draw < p : draw < noise;
      });
      return { failed: failedSlos.length > 0, failedSlos };
    },
  };
}
