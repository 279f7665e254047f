import { formatDuration, formatSeconds } from "../../core/duration.ts";
import type { FaultRecord, TimelineBucket } from "../../core/history.ts";
import { withDeadline } from "../../core/deadline.ts";
import { SystemStepError, errorMessage } from "../../core/errors.ts";
import { createRng } from "../../core/rng.ts";
import { stageDeadlinesMs } from "../../core/stage-deadlines.ts";
import type { RunEventBody } from "../../core/run-events.ts";
import type { Topology } from "../../core/topology.ts";
import { findPrimaries } from "../../env/topology/primary.ts";
import type { FaultContext, FaultHandle } from "../../faults/fault.ts";
import { injectFault } from "../../faults/registry.ts";
import { NodeNotReadyError } from "../../env/topology/ready-probe.ts";
import type { Plan, PlannedFault } from "../../scenario/plan.ts";
import { StepTrigger } from "./step-trigger.ts";

export interface GateResult {
  passed: boolean;
  detail: string;
  /** The scenario itself is wrong (e.g. its readback cannot return what was acknowledged): exit 2, not 4. */
  invalid?: boolean;
}

export interface FaultScheduleOptions {
  plan: Plan;
  /** Role probes, for selectors with mode "primary". */
  roles: Topology["roles"];
  ctx: FaultContext;
  signal: AbortSignal;
  /** Steady-state gate, asked once right before the first injection. */
  gate(): Promise<GateResult>;
  record(event: RunEventBody): void;
  /** A fault failed for the harness's own reasons (not the system's): the experiment is void from `atMs`. */
  onHarnessError?(message: string, atMs: number | null): void;
  /** Classes a step's `when` watches when it names none: those that take part in the gate, as for safety stops. */
  gatedClasses?: readonly string[];
}

interface Active {
  fault: PlannedFault;
  injecting: Promise<FaultHandle | undefined>;
  record?: FaultRecord;
  /** A step started on its condition: what held, for its record (also when the step then fails). */
  trigger?: { record: NonNullable<FaultRecord["trigger"]>; note: string };
}

/**
 * Injects and heals the planned faults on the run clock. Every injected fault is healed by healAll(),
 * which the runner calls in its finally block, so no fault outlives the run whatever happens.
 */
export class FaultSchedule {
  readonly #active: Active[] = [];
  #gateFailure: GateResult | undefined;
  readonly errors: string[] = [];
  /** The `when` of each step that has one, by fault id: fed every bucket from the start of traffic. */
  readonly #triggers = new Map<string, StepTrigger>();

  constructor(private readonly options: FaultScheduleOptions) {
    for (const fault of options.plan.faults)
      if (fault.spec.kind === "restore" && fault.spec.when) this.#triggers.set(fault.id, new StepTrigger(fault.spec.when, options.gatedClasses ?? [], () => options.ctx.clock.nowMs() ?? 0));
  }

  /** A closed timeline bucket, for the steps that start on a condition. */
  observe(bucket: TimelineBucket): void {
    for (const trigger of this.#triggers.values()) trigger.observe(bucket);
  }

  /** Names of faults in effect now, for the status line. */
  activeFaults(): string[] {
    return this.#active.filter((a) => a.record && a.record.healedAtMs === null).map((a) => `${a.fault.id} on ${a.record!.targets.join(",")}`);
  }

  get gateFailure(): GateResult | undefined {
    return this.#gateFailure;
  }

  /** Runs the schedule to its end, or until aborted or the gate fails. */
  async run(): Promise<void> {
    const steps = this.options.plan.faults
      .flatMap((fault) => [
        { atMs: fault.atMs, order: 1, act: () => this.#inject(fault) },
        { atMs: fault.healAtMs, order: 0, act: () => this.#heal(fault.id) },
      ])
      .sort((a, b) => a.atMs - b.atMs || a.order - b.order);
    let gated = false;
    for (const step of steps) {
      if (!(await this.#waitUntil(step.atMs))) return;
      if (step.order === 1 && !gated) {
        gated = true;
        const gate = await this.options.gate();
        this.options.record({ type: "gate", passed: gate.passed, detail: gate.detail });
        if (!gate.passed) {
          this.#gateFailure = gate;
          return;
        }
      }
      await step.act();
    }
  }

  /**
   * Heals every fault still in effect (also one whose injection is still under way). Idempotent.
   * `deadlineMs` bounds each heal (short when interrupted: teardown removes the containers anyway).
   */
  async healAll(deadlineMs: number = stageDeadlinesMs.heal): Promise<void> {
    await Promise.all(this.#active.map((a) => this.#heal(a.fault.id, deadlineMs)));
  }

  /** Fault records for the history: every injected fault, healed or not. */
  records(): FaultRecord[] {
    return this.#active.flatMap((a) => (a.record ? [a.record] : []));
  }

  /**
   * A step with `when` waits here, from its `at`, for its condition (steps after it in the schedule wait behind it,
   * as they wait behind a restore that waits for its ready probes). Returns what held, or undefined when the step is
   * not to run: aborted (nothing recorded), or the deadline passed (recorded as the system's failure).
   */
  async #awaitTrigger(fault: PlannedFault, trigger: StepTrigger): Promise<Active["trigger"] | undefined> {
    const within = fault.spec.kind === "restore" ? (fault.spec.when?.within ?? 0) : 0;
    const deadlineMs = fault.atMs + within;
    this.options.ctx.log.info(`${fault.id}: waiting for ${trigger.text} (until ${formatSeconds(deadlineMs)})`);
    const outcome = await trigger.wait(deadlineMs, this.options.signal);
    if (outcome.kind === "aborted") return undefined;
    if (outcome.kind === "deadline") {
      const atMs = Math.round(outcome.atMs);
      const why = `its condition (${trigger.text}) never held from ${formatSeconds(fault.atMs)} to ${formatSeconds(deadlineMs)} (within ${formatDuration(within)}); last seen: ${outcome.lastSeen}`;
      const record: FaultRecord = {
        id: fault.id,
        kind: fault.kind,
        targets: fault.targets,
        injectedAtMs: atMs,
        healedAtMs: atMs,
        mechanism: `waited for ${trigger.text}; not run`,
        notes: [`when: ${why}; the step did not run`],
        trigger: { condition: trigger.text, heldAtMs: null },
        systemFailure: `${fault.id} did not run: ${why}`,
      };
      this.#active.push({ fault, injecting: Promise.resolve(undefined), record });
      this.options.ctx.log.warn(`${fault.id}: ${why}; not run`);
      this.options.record({ type: "fault-error", id: fault.id, stage: "inject", message: record.systemFailure!, system: true });
      return undefined;
    }
    const heldAtMs = Math.round(outcome.heldAtMs);
    const note = `when: ${outcome.held.text} held at ${formatSeconds(heldAtMs)} (seen by the harness); the step started at ${formatSeconds(outcome.atMs)}, not before ${formatSeconds(fault.atMs)}`;
    this.options.ctx.log.info(`${fault.id}: ${note}`);
    return { record: { condition: trigger.text, heldAtMs, held: outcome.held.text }, note };
  }

  async #inject(fault: PlannedFault): Promise<void> {
    const waitFor = this.#triggers.get(fault.id);
    const trigger = waitFor ? await this.#awaitTrigger(fault, waitFor) : undefined;
    if (waitFor && !trigger) return;
    // Each fault gets its own Rng from the run seed and its place in the plan: a replay makes the same choices.
    const index = this.options.plan.faults.indexOf(fault);
    const ctx = { ...this.options.ctx, rng: createRng(this.options.plan.seed + 7919 * (index + 1)) };
    const calledAtMs = ctx.clock.nowMs() ?? undefined;
    const injecting = ctx.log
      .step(`injecting ${fault.id} (${fault.kind} ${fault.targets.join(", ")})`, async () => {
        const { target } = fault.spec;
        const targets = target.mode === "primary" && target.role ? await findPrimaries(ctx.topology, this.options.roles, target.role, fault.targets) : fault.targets;
        // A step that starts nodes (a restore) waits for their ready probes: their deadline comes on top, as for a heal.
        const readyMs = fault.kind === "restore" ? Math.max(0, ...targets.map((t) => ctx.topology.nodes.get(t)?.spec.readyTimeoutMs ?? 0)) : 0;
        const handle = await withDeadline(`fault injection ${fault.id}`, stageDeadlinesMs.inject + readyMs, injectFault(ctx, { ...fault.spec, id: fault.id }, targets), targets.join(","));
        return { handle, targets };
      })
      .catch((error: unknown) => {
        this.#fail(fault.id, "inject", error);
        return undefined;
      });
    const active: Active = { fault, injecting: injecting.then((r) => r?.handle), ...(trigger ? { trigger } : {}) };
    this.#active.push(active);
    const injected = await injecting;
    if (!injected) return;
    const { handle, targets } = injected;
    // The handle's own notes, so the heal's copy of them keeps what held too.
    if (trigger) handle.notes.unshift(trigger.note);
    active.record = {
      id: fault.id,
      kind: fault.kind,
      targets,
      calledAtMs,
      injectedAtMs: handle.injectedAtMs,
      healedAtMs: null,
      mechanism: handle.mechanism,
      notes: handle.notes,
      ...(trigger ? { trigger: trigger.record } : {}),
      ...(handle.backups ? { backups: handle.backups } : {}),
    };
    this.options.record({ type: "fault-injected", id: fault.id, kind: fault.kind, targets, calledAtMs, injectedAtMs: handle.injectedAtMs, mechanism: handle.mechanism, notes: [...handle.notes] });
  }

  async #heal(id: string, deadlineMs: number = stageDeadlinesMs.heal): Promise<void> {
    const active = this.#active.find((a) => a.fault.id === id);
    if (!active) return;
    const handle = await active.injecting;
    if (!handle || !active.record || active.record.healedAtMs !== null) return;
    // A heal that restarts nodes waits for their ready probes: give it their own deadline on top of the stage's,
    // so a slow node is judged by its probe (the system's failure) rather than cut short by the harness.
    const readyMs = Math.max(0, ...active.record.targets.map((t) => this.options.ctx.topology.nodes.get(t)?.spec.readyTimeoutMs ?? 0));
    // The executed heal time (the plan's may have passed already): what a shrink replays.
    const calledAtMs = this.options.ctx.clock.nowMs() ?? undefined;
    try {
      const healedAtMs = await this.options.ctx.log.step(`healing ${id}`, () => withDeadline(`heal ${id}`, deadlineMs + readyMs, handle.heal(), active.fault.targets.join(",")));
      if (active.record.healedAtMs !== null) return;
      active.record.healedAtMs = healedAtMs;
      if (calledAtMs !== undefined) active.record.healCalledAtMs = calledAtMs;
      active.record.notes = [...handle.notes];
      this.options.record({ type: "fault-healed", id, calledAtMs, healedAtMs, notes: [...handle.notes] });
    } catch (error) {
      this.#fail(id, "heal", error);
    }
  }

  /**
   * A node that never became ready after the harness started it again is the system's failure: recorded on the
   * fault (judged as a failed check, the run stays valid). Anything else is the harness's: the run is void.
   */
  #fail(id: string, stage: "inject" | "heal", error: unknown): void {
    const active = this.#active.find((a) => a.fault.id === id);
    const atMs = this.options.ctx.clock.nowMs();
    if (error instanceof NodeNotReadyError && active?.record) {
      active.record.systemFailure = `${error.node} never became ready again after the harness started it (${stage} of ${id}): ${errorMessage(error)}`;
      if (active.record.healedAtMs === null && atMs !== null) active.record.healedAtMs = Math.round(atMs);
      this.options.record({ type: "fault-error", id, stage, message: errorMessage(error), system: true });
      return;
    }
    // A step (a restore) the system failed before it had a record: recorded as the system's failure, with what it did.
    if (error instanceof SystemStepError && active && !active.record && atMs !== null) {
      const atRunMs = Math.round(atMs);
      active.record = {
        id,
        kind: active.fault.kind,
        targets: active.fault.targets,
        calledAtMs: error.startedAtMs,
        injectedAtMs: error.startedAtMs ?? atRunMs,
        healedAtMs: atRunMs,
        mechanism: error.mechanism,
        notes: [...(active.trigger ? [active.trigger.note] : []), ...error.notes],
        ...(active.trigger ? { trigger: active.trigger.record } : {}),
        ...(error.backups ? { backups: [...error.backups] } : {}),
        systemFailure: `${stage} of ${id} failed: ${errorMessage(error)}`,
      };
      this.options.record({ type: "fault-error", id, stage, message: errorMessage(error), system: true });
      return;
    }
    const message = `${stage} ${id}: ${errorMessage(error)}`;
    this.errors.push(message);
    this.options.record({ type: "fault-error", id, stage, message: errorMessage(error) });
    this.options.onHarnessError?.(`fault ${message}`, atMs);
  }

  /** Waits for the run clock to reach `atMs`; false when aborted first. A timer wait, not a poll: the clock is ours. */
  async #waitUntil(atMs: number): Promise<boolean> {
    const { signal, ctx } = this.options;
    while (!signal.aborted) {
      const remainingMs = atMs - (ctx.clock.nowMs() ?? 0);
      if (remainingMs <= 0) return true;
      await new Promise<void>((resolve) => {
        const onAbort = () => (clearTimeout(timer), resolve());
        const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), Math.min(remainingMs, 1_000));
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
    return false;
  }
}
