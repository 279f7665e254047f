import { randomBytes } from "node:crypto";
import { errorMessage } from "../../core/errors.ts";
import type { RunClock } from "../../core/clock.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle } from "../fault.ts";
import type { ExecResult } from "../../env/docker/exec.ts";
import { buildScript, parseSteps, probeStep, qdiscBatch, type ParsedScript, type ScriptStep } from "./netns-script.ts";
import { checkApplied, checkRemoved } from "./netns-checks.ts";
import { chooseAccess, HostNetnsShell, invisibleNamespaces, openSidecarShell, SidecarNetnsShell, type AccessChoice, type NetnsAccess, type NetnsShell } from "./netns-shell.ts";
import { cutTableBody, deleteTableCommand, nftTableName, replaceTableScript } from "./nft-rules.ts";
import type { CutPair } from "./partition-groups.ts";
import { addressBook, changedNodes, describeAddresses, inspectNodes, ipsOf, type AddressBook, type NodeNet } from "./peers.ts";
import { qdiscKindOfArgs } from "./tc-commands.ts";

/** What one node's namespace gets, computed from the current addresses (so a re-apply follows address changes). */
export interface NodeEffect {
  /** Body of the fault's `table inet havoc_<fault>` (see nft-rules.ts); undefined: no table. */
  nftBody?: string;
  /** Texts the listed table must contain after applying (e.g. the peer addresses). */
  expectInTable?: readonly string[];
  /** tc arguments after `dev <iface>` (tc-commands.ts `...Args`), for every interface carrying one of the node's addresses. */
  qdiscArgs?: readonly string[];
}

export interface NetnsFaultPlan {
  /** The fault id (label value, table name), see faultKey(). */
  key: string;
  /** What is done, e.g. "nft drop in the targets' namespaces, both directions"; the access path is appended. */
  mechanism: string;
  /** Nodes whose namespaces get the effect. */
  nodes: readonly string[];
  /** Nodes whose addresses the rules use; a restart of one re-resolves addresses and re-applies. */
  peers: readonly string[];
  effect(node: string, book: AddressBook): NodeEffect;
  /**
   * A cut pair to probe while applying: a datagram from `from`'s namespace to `to` must leave before the rules and
   * be refused after them (EPERM at the sender: the table's output drop). `from` must be in `nodes` and cut towards `to`.
   */
  probe?: CutPair;
  /** Notes known before injecting (groups, mechanism choice). */
  notes?: string[];
}

/** Any port works: the datagram is dropped before it leaves the namespace. UDP discard. */
const PROBE_PORT = 9;
/** How long each event wait lasts before the loop checks whether the fault was healed. */
const WATCH_SLICE_MS = 1_000;

/** The fault's id for labels and the nft table: the scenario id, else "<kind>-<6 hex>". */
export function faultKey(spec: { kind: string; id?: string | undefined }): string {
  return spec.id ?? `${spec.kind}-${randomBytes(3).toString("hex")}`;
}

interface NodeState {
  /** The sidecar shell (sidecar access only; the host path opens a shell per action on the current namespace). */
  sidecar?: SidecarNetnsShell;
  generation: number;
  hasTable: boolean;
  /** Interfaces we put a root qdisc on, and its kind. */
  qdiscs: { iface: string; kind: string }[];
}

function onClock(clock: RunClock, epochMs: number): number {
  const ms = clock.toRunMs(epochMs);
  return Math.round(ms ?? epochMs);
}

/**
 * Applies a per-namespace network fault, verifies it, and keeps it applied while due: a restarted node (new
 * namespace, rules gone) gets its rules again; a restarted peer's addresses are resolved again and the other
 * namespaces' rules replaced. Each gap is noted. Every namespace gets one script per action (apply, heal), run from
 * the host through nsenter, or in a sidecar container where the host cannot (netns-shell.ts).
 */
export async function injectNetnsFault(ctx: FaultContext, plan: NetnsFaultPlan): Promise<FaultHandle> {
  const fault = new NetnsFault(ctx, plan);
  await fault.prepare();
  await fault.applyEverywhere();
  fault.followRestarts();
  return {
    injectedAtMs: runMs(ctx.clock, fault.inPlaceAt),
    mechanism: fault.mechanism,
    notes: fault.notes,
    heal: healOnce(() => fault.heal()),
  };
}

/** One injected per-namespace fault: its namespaces' state, how they are entered, and the addresses it cuts by. */
class NetnsFault {
  readonly calledAt: number;
  readonly table: string;
  readonly notes: string[];
  readonly involved: string[];
  readonly states: Map<string, NodeState>;
  choice!: AccessChoice;
  nets!: ReadonlyMap<string, NodeNet>;
  book!: AddressBook;
  mechanism = "";
  inPlaceAt = 0;
  healing = false;
  /** Re-applies run one after another, and heal waits for the last. */
  queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ctx: FaultContext,
    readonly plan: NetnsFaultPlan,
  ) {
    this.calledAt = ctx.clock.epochNow();
    this.table = nftTableName(plan.key);
    this.notes = [...(plan.notes ?? [])];
    this.involved = [...new Set([...plan.nodes, ...plan.peers])];
    this.states = new Map(plan.nodes.map((n) => [n, { generation: 0, hasTable: false, qdiscs: [] }]));
  }

  /**
   * How a node's namespace is entered: the choice for this machine's nodes; a node on another host's engine always
   * by a sidecar on that engine (this machine cannot see that host's namespaces).
   */
  accessOf(node: string): NetnsAccess {
    return this.ctx.topology.isLocal(node) ? this.choice.access : "sidecar";
  }

  /** How the namespaces are entered (host nsenter, else sidecars), and every involved node's addresses. */
  async prepare(): Promise<void> {
    const { ctx, plan } = this;
    const [choice, nets] = await Promise.all([chooseAccess(ctx.netnsAccess), inspectNodes(ctx.topology, this.involved)]);
    this.choice = choice;
    this.nets = nets;
    this.book = addressBook(nets);
    const notRunning = plan.nodes.filter((n) => !nets.get(n)?.running);
    if (notRunning.length) throw new Error(`${plan.key}: target(s) not running, no network namespace to fault: ${notRunning.join(", ")}`);
    const remote = plan.nodes.filter((n) => !ctx.topology.isLocal(n));
    if (remote.length && ctx.netnsAccess === "host") throw new Error(`${plan.key}: cannot enter the namespaces of ${remote.join(", ")} from this machine: they run on host(s) ${[...new Set(remote.map((n) => ctx.topology.engineOf(n).name))].join(", ")}`);
    const local = plan.nodes.filter((n) => ctx.topology.isLocal(n));
    if (choice.access === "host") {
      const invisible = invisibleNamespaces(new Map(local.map((n) => [n, nets.get(n)?.sandboxKey])));
      const keyless = local.filter((n) => !nets.get(n)?.sandboxKey);
      if (invisible.length || keyless.length) {
        if (ctx.netnsAccess === "host") throw new Error(`${plan.key}: cannot enter the namespaces of ${[...invisible, ...keyless].join(", ")} from the host (remote engine?)`);
        this.choice = { access: "sidecar", why: `fallback to sidecars: the engine's namespace files of ${[...invisible, ...keyless].join(", ")} are not on this machine (remote engine?)` };
      }
    }
    const hosted = local.length > 0 && this.choice.access === "host";
    const how = hosted && remote.length ? `nsenter from the host for ${local.join(", ")}, sidecar containers for ${remote.join(", ")} on their hosts' engines` : hosted ? "nsenter from the host" : "sidecar containers";
    this.mechanism = `${plan.mechanism} (${how})`;
    if (local.length && this.choice.access === "sidecar") this.notes.push(`namespaces entered by sidecar containers: ${this.choice.why}`);
    if (remote.length) this.notes.push(`namespaces of ${remote.map((n) => `${n} (host ${ctx.topology.engineOf(n).name})`).join(", ")} entered by sidecar containers on their hosts' engines`);
    const absentPeers = plan.peers.filter((n) => (this.book.get(n) ?? []).length === 0);
    if (absentPeers.length) this.notes.push(`peer(s) without an address (not running): ${absentPeers.join(", ")}; rules follow them when they start`);
    this.notes.push(`addresses: ${describeAddresses(this.book, this.involved)}`);
  }

  /** Applies the effect in every target namespace (verified); on any failure removes what went in and throws. */
  async applyEverywhere(): Promise<void> {
    const { plan } = this;
    try {
      const applied = await Promise.all(plan.nodes.map((node) => this.apply(node, this.nets, this.states.get(node)!, true)));
      this.notes.push(...applied.flat());
    } catch (error) {
      await this.removeAll().catch(() => undefined);
      throw error;
    }
    this.inPlaceAt = this.ctx.clock.epochNow();
    const accesses = [...new Set(plan.nodes.map((n) => this.accessOf(n)))].join(" + ");
    this.notes.push(`rules in place and verified in ${plan.nodes.length} namespace(s) ${Math.round(this.inPlaceAt - this.calledAt)} ms after the call (${accesses})`);
  }

  /** The shell for an action on `node` now: the host path enters the namespace Docker reports at this inspect. */
  async shellFor(node: string, state: NodeState, net: NodeNet | undefined): Promise<NetnsShell> {
    if (this.accessOf(node) === "host") {
      if (!net?.sandboxKey) throw new Error(`${node} is not running: no network namespace`);
      return new HostNetnsShell(node, net.sandboxKey);
    }
    const { topology } = this.ctx;
    const engine = topology.engineOf(node);
    state.sidecar ??= await openSidecarShell({
      runId: topology.runId,
      faultKey: this.plan.key,
      node,
      targetContainer: topology.node(node).containerName,
      generation: state.generation,
      ...(engine.local ? {} : { docker: engine.docker }),
    });
    return state.sidecar;
  }

  /**
   * Applies `node`'s effect in one process start after nsenter where possible: rules alone are one `nft --echo -f -`
   * (the echo is the kernel's own notice of what it committed, checked for the expected addresses); the node that
   * sends the cut probe runs one bash script: a datagram to the peer (must pass), the rules, the same datagram
   * (must be refused with EPERM by the new drop rule); qdiscs run as one bash script that finds the interfaces in
   * /proc/net and runs one `tc -batch` replacing and then dumping them. Returns notes.
   */
  async apply(node: string, current: ReadonlyMap<string, NodeNet>, state: NodeState, withProbe: boolean): Promise<string[]> {
    const { plan, table } = this;
    const shell = await this.shellFor(node, state, current.get(node));
    const currentBook = addressBook(current);
    const effect = plan.effect(node, currentBook);
    const probeTo = withProbe && plan.probe?.from === node ? plan.probe.to : undefined;
    const probeAddress = probeTo ? (currentBook.get(probeTo) ?? [])[0] : undefined;
    const own = current.get(node)?.addresses ?? [];
    const qdisc = effect.qdiscArgs ? { addresses: own, args: effect.qdiscArgs } : undefined;
    const nftApply = effect.nftBody === undefined ? undefined : { id: "nft-apply", command: ["nft", "--echo", "-f", "-"], stdin: replaceTableScript(table, effect.nftBody) };
    if (nftApply) state.hasTable = true; // even a failed apply is retried by heal: delete is harmless when absent

    let parsed: ParsedScript;
    let raw: ExecResult;
    if (nftApply && !qdisc && !probeAddress) {
      raw = await shell.exec(nftApply.command, nftApply.stdin);
      parsed = { steps: new Map([["nft-apply", { exitCode: raw.exitCode, output: raw.output.trim() }]]), ifaces: [] };
    } else {
      const steps: ScriptStep[] = [];
      if (nftApply && probeAddress) steps.push(probeStep("probe-before", probeAddress.ip, PROBE_PORT), nftApply, probeStep("probe", probeAddress.ip, PROBE_PORT));
      else if (nftApply) steps.push(nftApply);
      raw = await shell.run(buildScript(steps, qdisc));
      parsed = parseSteps(raw.output);
    }
    if (parsed.steps.size === 0 && parsed.ifaces.length === 0 && raw.exitCode !== 0)
      throw new Error(`${node}: could not enter its network namespace (${shell.via}): ${raw.output.trim().slice(0, 300)}`);
    if (qdisc) state.qdiscs = parsed.ifaces.map((iface) => ({ iface, kind: qdiscKindOfArgs(qdisc.args) }));
    const { errors, applied } = checkApplied({ node, key: plan.key, table, parsed, raw, nft: nftApply !== undefined, expectInTable: effect.expectInTable ?? [], probeTo, probeIp: probeAddress?.ip, qdisc, own });
    if (errors.length) throw new Error(errors.join("; "));
    return applied;
  }

  async targetRunning(node: string): Promise<boolean> {
    return (await this.ctx.topology.container(node).inspect().catch(() => undefined))?.State?.Running === true;
  }

  /**
   * Heals `node`'s namespace: `nft delete table` (nft exits 0 only once the kernel acknowledged the transaction;
   * "No such file" means it is already gone) and/or one `tc -force -batch -` deleting our root qdiscs and dumping each
   * interface's qdiscs after, which must list none of ours. One command each; a bash script only when both.
   */
  async removeFrom(node: string, state: NodeState, net: NodeNet | undefined): Promise<void> {
    const shell = await this.shellFor(node, state, net);
    const deleteStep = { id: "nft-delete", command: deleteTableCommand(this.table) };
    // -force: one interface already gone must not stop the others' deletes nor the shows after them.
    const qdiscStep = { id: "qdisc-batch", command: ["tc", "-force", "-batch", "-"], stdin: qdiscBatch("del", state.qdiscs.map((q) => q.iface)) };
    const steps: { id: string; command: string[]; stdin?: string }[] = [...(state.hasTable ? [deleteStep] : []), ...(state.qdiscs.length ? [qdiscStep] : [])];
    let parsed: ParsedScript;
    if (steps.length === 1) {
      const result = await shell.exec(steps[0]!.command, steps[0]!.stdin);
      parsed = { steps: new Map([[steps[0]!.id, { exitCode: result.exitCode, output: result.output.trim() }]]), ifaces: [] };
    } else {
      const result = await shell.run(buildScript(steps));
      parsed = parseSteps(result.output);
    }
    checkRemoved(this.table, state, parsed, shell.via);
  }

  /**
   * Removes the table and qdiscs in each namespace, then the sidecars. Returns the effect's end (epoch ms).
   * Uses the namespaces of the last inspection (no inspect on the heal path); a node that stopped or restarted since
   * is inspected again: gone means its rules went with its namespace, a new namespace gets the heal script too.
   */
  async removeAll(): Promise<number> {
    const failures: string[] = [];
    await Promise.all([...this.states].map(([node, state]) => this.removeOne(node, state, failures)));
    const effectEnd = this.ctx.clock.epochNow();
    await Promise.all([...this.states].map(([node, s]) => s.sidecar?.close().catch((e: unknown) => failures.push(`removing the sidecar of ${node}: ${errorMessage(e)}`))));
    if (failures.length) {
      this.notes.push(`heal failed: ${failures.join("; ")}`);
      throw new Error(`${this.plan.key}: heal failed: ${failures.join("; ")}`);
    }
    return effectEnd;
  }

  async removeOne(node: string, state: NodeState, failures: string[]): Promise<void> {
    if (state.sidecar && !(await state.sidecar.running())) {
      // The sidecar went away but the rules live on in the target's namespace: clean them with a new one.
      state.sidecar = undefined;
      state.generation++;
      if (await this.targetRunning(node)) this.notes.push(`${node}: sidecar was gone at heal; removed the rules with a new one`);
    }
    if (!state.hasTable && state.qdiscs.length === 0) return;
    try {
      await this.removeFrom(node, state, this.nets.get(node));
    } catch (error) {
      const fresh = (await inspectNodes(this.ctx.topology, [node]).catch(() => undefined))?.get(node);
      if (!fresh?.running) return void this.notes.push(`${node} not running at heal: its rules went with its network namespace`);
      const retry = this.accessOf(node) === "host" && fresh.sandboxKey !== this.nets.get(node)?.sandboxKey;
      if (!retry) return void failures.push(`${node}: ${errorMessage(error)}`);
      await this.removeFrom(node, state, fresh).catch((again: unknown) => failures.push(`${node}: ${errorMessage(again)}`));
    }
  }

  /** Re-applies when a node or peer starts again while the fault is due (its namespace, and so our rules, are new). */
  followRestarts(): void {
    for (const node of this.involved) {
      void (async () => {
        let since = this.calledAt;
        while (!this.healing) {
          const event = await this.ctx.events.waitFor(node, "start", since, WATCH_SLICE_MS);
          if (!event || this.healing) continue;
          since = event.epochMs + 0.001;
          this.queue = this.queue.then(() => this.onStart(node, event.epochMs)).catch((error: unknown) => void this.notes.push(`re-applying after ${node} started failed: ${errorMessage(error)}`));
        }
      })();
    }
  }

  async onStart(node: string, startedAt: number): Promise<void> {
    if (this.healing) return;
    const { ctx, plan, notes } = this;
    const before = this.book;
    this.nets = await inspectNodes(ctx.topology, this.involved);
    const after = addressBook(this.nets);
    this.book = after;
    const changed = changedNodes(before, after);
    const own = this.states.get(node);
    if (own) await this.reapplyOwn(node, own, startedAt, after);
    const others = plan.nodes.filter((n) => n !== node && changed.some((c) => c !== n));
    if (changed.length && others.length) {
      const results = await Promise.allSettled(others.map((n) => this.apply(n, this.nets, this.states.get(n)!, false)));
      const doneAt = ctx.clock.epochNow();
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${others[i]}: ${errorMessage(r.reason)}`] : []));
      notes.push(
        `${changed.join(", ")} changed address (${describeAddresses(before, changed)} -> ${describeAddresses(after, changed)}): rules of ${others.join(", ")} matched the old addresses from ${onClock(ctx.clock, startedAt)} ms to ${onClock(ctx.clock, doneAt)} ms` +
          (failed.length ? `; re-applying failed on ${failed.join("; ")}` : ""),
      );
    } else if (!own) notes.push(`peer ${node} restarted at ${onClock(ctx.clock, startedAt)} ms with unchanged addresses; rules still match`);
  }

  /** A target that restarted has a new namespace without our rules: apply them again, noting the gap. */
  async reapplyOwn(node: string, own: NodeState, startedAt: number, after: AddressBook): Promise<void> {
    const { ctx, notes } = this;
    const died = ctx.events.events.filter((e) => e.node === node && e.action === "die" && e.epochMs >= this.calledAt && e.epochMs <= startedAt).at(-1);
    const goneAt = died?.epochMs ?? startedAt;
    // A sidecar of the old namespace is stranded there; the host path holds nothing.
    const stranded = own.sidecar;
    own.sidecar = undefined;
    own.hasTable = false;
    own.qdiscs = [];
    await stranded?.close().catch(() => undefined);
    own.generation++;
    try {
      await this.apply(node, this.nets, own, false);
      const backAt = ctx.clock.epochNow();
      notes.push(`${node} restarted: its rules were absent from ${onClock(ctx.clock, goneAt)} ms to ${onClock(ctx.clock, backAt)} ms (${Math.round(backAt - goneAt)} ms); re-applied in its new namespace, addresses ${describeAddresses(after, [node])}`);
    } catch (error) {
      notes.push(`${node} restarted at ${onClock(ctx.clock, startedAt)} ms but re-applying failed: ${errorMessage(error)} (retried on its next start)`);
    }
  }

  async heal(): Promise<number> {
    this.healing = true;
    await this.queue;
    const healCalled = this.ctx.clock.epochNow();
    const effectEnd = await this.removeAll();
    const sidecars = [...this.states.keys()].some((n) => this.accessOf(n) === "sidecar");
    this.notes.push(`healed: rules removed ${Math.round(effectEnd - healCalled)} ms after the heal call${sidecars ? `, sidecars removed ${Math.round(this.ctx.clock.epochNow() - healCalled)} ms after it` : ""}`);
    return runMs(this.ctx.clock, effectEnd);
  }
}

/**
 * The effect for cut faults: in a node's namespace, drop output to every node it must not reach and input from
 * every node that must not reach it. Each pair is enforced at both ends that get rules.
 */
export function cutEffect(pairs: readonly CutPair[]): (node: string, book: AddressBook) => NodeEffect {
  return (node, book) => {
    const dropTo = ipsOf(book, pairs.filter((p) => p.from === node).map((p) => p.to));
    const dropFrom = ipsOf(book, pairs.filter((p) => p.to === node).map((p) => p.from));
    return { nftBody: cutTableBody({ dropFrom, dropTo }), expectInTable: [...new Set([...dropTo.v4, ...dropFrom.v4])] };
  };
}

/** Nodes that appear in a cut pair (each gets the rules in its own namespace). */
export function cutNodes(pairs: readonly CutPair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
}

/** Throws naming unknown nodes. */
export function requireNodes(ctx: FaultContext, names: readonly string[], what: string): void {
  const unknown = names.filter((n) => !ctx.topology.nodes.has(n));
  if (unknown.length) throw new Error(`${what}: unknown node(s) ${unknown.join(", ")} (nodes: ${[...ctx.topology.nodes.keys()].join(", ")})`);
}
