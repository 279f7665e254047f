import { randomBytes } from "node:crypto";
import { errorMessage } from "../../core/errors.ts";
import type { RunClock } from "../../core/clock.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle } from "../fault.ts";
import type { ExecResult } from "../../env/docker/exec.ts";
import { buildScript, hasRootQdisc, mentionsAddress, parseSteps, probeRefused, probeStep, qdiscBatch, type ParsedScript, type ScriptStep } from "./netns-script.ts";
import { chooseAccess, HostNetnsShell, invisibleNamespaces, openSidecarShell, SidecarNetnsShell, type AccessChoice, type NetnsShell } from "./netns-shell.ts";
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

function stepError(node: string, what: string, parsed: ParsedScript, id: string): string | undefined {
  const step = parsed.steps.get(id);
  if (!step) return `${node}: ${what}: the script did not reach it`;
  if (step.exitCode !== 0) return `${node}: ${what} exited ${step.exitCode}: ${step.output.slice(0, 400)}`;
  return undefined;
}

/**
 * Applies a per-namespace network fault, verifies it, and keeps it applied while due: a restarted node (new
 * namespace, rules gone) gets its rules again; a restarted peer's addresses are resolved again and the other
 * namespaces' rules replaced. Each gap is noted. Every namespace gets one script per action (apply, heal), run from
 * the host through nsenter, or in a sidecar container where the host cannot (netns-shell.ts).
 */
export async function injectNetnsFault(ctx: FaultContext, plan: NetnsFaultPlan): Promise<FaultHandle> {
  const calledAt = ctx.clock.epochNow();
  const { topology } = ctx;
  const table = nftTableName(plan.key);
  const notes: string[] = [...(plan.notes ?? [])];
  const involved = [...new Set([...plan.nodes, ...plan.peers])];
  const states = new Map<string, NodeState>(plan.nodes.map((n) => [n, { generation: 0, hasTable: false, qdiscs: [] }]));
  let [choice, nets] = await Promise.all([chooseAccess(ctx.netnsAccess), inspectNodes(topology, involved)]);
  let book: AddressBook = addressBook(nets);
  let healing = false;

  const notRunning = plan.nodes.filter((n) => !nets.get(n)?.running);
  if (notRunning.length) throw new Error(`${plan.key}: target(s) not running, no network namespace to fault: ${notRunning.join(", ")}`);
  if (choice.access === "host") {
    const invisible = invisibleNamespaces(new Map(plan.nodes.map((n) => [n, nets.get(n)?.sandboxKey])));
    const keyless = plan.nodes.filter((n) => !nets.get(n)?.sandboxKey);
    if (invisible.length || keyless.length) {
      if (ctx.netnsAccess === "host") throw new Error(`${plan.key}: cannot enter the namespaces of ${[...invisible, ...keyless].join(", ")} from the host (remote engine?)`);
      choice = { access: "sidecar", why: `fallback to sidecars: the engine's namespace files of ${[...invisible, ...keyless].join(", ")} are not on this machine (remote engine?)` };
    }
  }
  const mechanism = `${plan.mechanism} (${choice.access === "host" ? "nsenter from the host" : "sidecar containers"})`;
  if (choice.access === "sidecar") notes.push(`namespaces entered by sidecar containers: ${choice.why}`);
  const absentPeers = plan.peers.filter((n) => (book.get(n) ?? []).length === 0);
  if (absentPeers.length) notes.push(`peer(s) without an address (not running): ${absentPeers.join(", ")}; rules follow them when they start`);
  notes.push(`addresses: ${describeAddresses(book, involved)}`);

  /** The shell for an action on `node` now: the host path enters the namespace Docker reports at this inspect. */
  const shellFor = async (node: string, state: NodeState, net: NodeNet | undefined): Promise<NetnsShell> => {
    if (choice.access === "host") {
      if (!net?.sandboxKey) throw new Error(`${node} is not running: no network namespace`);
      return new HostNetnsShell(node, net.sandboxKey);
    }
    state.sidecar ??= await openSidecarShell({ runId: topology.runId, faultKey: plan.key, node, targetContainer: topology.node(node).containerName, generation: state.generation });
    return state.sidecar;
  };

  /**
   * Applies `node`'s effect in one process start after nsenter where possible: rules alone are one `nft --echo -f -`
   * (the echo is the kernel's own notice of what it committed, checked for the expected addresses); the node that
   * sends the cut probe runs one bash script: a datagram to the peer (must pass), the rules, the same datagram
   * (must be refused with EPERM by the new drop rule); qdiscs run as one bash script that finds the interfaces in
   * /proc/net and runs one `tc -batch` replacing and then dumping them. Returns notes.
   */
  const apply = async (node: string, current: ReadonlyMap<string, NodeNet>, state: NodeState, withProbe: boolean): Promise<string[]> => {
    const shell = await shellFor(node, state, current.get(node));
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

    const errors: string[] = [];
    const applied: string[] = [];
    if (nftApply) {
      const failed = stepError(node, `nft -f (table ${table})`, parsed, "nft-apply");
      if (failed) errors.push(failed);
      else {
        const echo = parsed.steps.get("nft-apply")!.output;
        const missing = [`add table inet ${table}`, ...(effect.expectInTable ?? [])].filter((text) => (/^[0-9a-fA-F.:]+$/.test(text) ? !mentionsAddress(echo, text) : !echo.includes(text)));
        if (missing.length) errors.push(`${node}: the kernel's echo of table ${table} lacks ${missing.join(", ")}: ${echo.slice(0, 400)}`);
        if (probeTo && probeAddress) {
          const before = parsed.steps.get("probe-before");
          const after = parsed.steps.get("probe");
          if (!probeRefused(after)) errors.push(`${plan.key}: cut not in effect: a datagram ${node} -> ${probeTo} (${probeAddress.ip}) was not refused after the rules were applied (exit ${after?.exitCode ?? "none"} ${after?.output ?? ""})`);
          else if (probeRefused(before)) applied.push(`cut verified: a datagram ${node} -> ${probeTo} (${probeAddress.ip}) is refused, but was already refused before this fault's rules (another fault or the system's own rules?)`);
          else if (before?.exitCode !== 0) applied.push(`cut verified: a datagram ${node} -> ${probeTo} (${probeAddress.ip}) was refused after the rules ("${after!.output}"); before them it failed otherwise (${before?.output ?? "not sent"})`);
          else applied.push(`cut verified: a datagram ${node} -> ${probeTo} (${probeAddress.ip}) left ${node}'s namespace before the rules and was refused after them ("${after!.output}")`);
        } else if (probeTo) applied.push(`probe ${node} -> ${probeTo} skipped: ${probeTo} has no address`);
      }
    }
    if (qdisc) {
      const kind = qdiscKindOfArgs(qdisc.args);
      if (parsed.ifaces.length === 0) errors.push(`${node}: no interface carries its addresses ${own.map((a) => a.ip).join(", ")}${raw.exitCode !== 0 ? ` (${raw.output.trim().slice(0, 300)})` : ""}`);
      state.qdiscs = parsed.ifaces.map((iface) => ({ iface, kind }));
      if (parsed.ifaces.length > 0) {
        const failed = stepError(node, `tc -batch (qdisc replace on ${parsed.ifaces.join(", ")})`, parsed, "qdisc-batch");
        if (failed) errors.push(failed);
        else {
          const shown = parsed.steps.get("qdisc-batch")!.output;
          const without = parsed.ifaces.filter((iface) => !hasRootQdisc(shown, iface, kind));
          if (without.length) errors.push(`${node}: ${without.join(", ")} show no root ${kind} qdisc after applying: ${shown}`);
        }
      }
    }
    if (errors.length) throw new Error(errors.join("; "));
    return applied;
  };

  const targetRunning = async (node: string) =>
    (
      await topology
        .container(node)
        .inspect()
        .catch(() => undefined)
    )?.State?.Running === true;

  /**
   * Heals `node`'s namespace: `nft delete table` (nft exits 0 only once the kernel acknowledged the transaction;
   * "No such file" means it is already gone) and/or one `tc -force -batch -` deleting our root qdiscs and dumping each
   * interface's qdiscs after, which must list none of ours. One command each; a bash script only when both.
   */
  const removeFrom = async (node: string, state: NodeState, net: NodeNet | undefined): Promise<void> => {
    const shell = await shellFor(node, state, net);
    const deleteStep = { id: "nft-delete", command: deleteTableCommand(table) };
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
    const unreachable = [...parsed.steps.values()].find((r) => r.exitCode >= 126 || /^nsenter: /m.test(r.output));
    if (parsed.steps.size === 0 || unreachable) throw new Error(`could not enter its network namespace or run its tools (${shell.via}): ${(unreachable?.output ?? "").slice(0, 300)}`);
    if (state.hasTable) {
      const deleted = parsed.steps.get("nft-delete");
      // nft's own "No such file" (table absent), not nsenter's (namespace gone: handled by the caller, which inspects again).
      if (!deleted || (deleted.exitCode !== 0 && !/Error: Could not process rule: No such file or directory/.test(deleted.output))) throw new Error(`nft delete table ${table}: ${deleted?.output || "not reached"}`);
    }
    // Deleting what is already gone fails ("handle of zero", "Cannot find device"); what counts is the kernel's dump after.
    const batch = parsed.steps.get("qdisc-batch");
    const left = state.qdiscs.filter(({ iface, kind }) => !batch || hasRootQdisc(batch.output, iface, kind));
    if (left.length) throw new Error(`${left.map((q) => `${q.iface} still has a root ${q.kind} qdisc`).join(", ")}${batch ? `: ${batch.output.slice(0, 300)}` : ""}`);
  };

  /**
   * Removes the table and qdiscs in each namespace, then the sidecars. Returns the effect's end (epoch ms).
   * Uses the namespaces of the last inspection (no inspect on the heal path); a node that stopped or restarted since
   * is inspected again: gone means its rules went with its namespace, a new namespace gets the heal script too.
   */
  const removeAll = async (): Promise<number> => {
    const failures: string[] = [];
    const goneNote = (node: string) => notes.push(`${node} not running at heal: its rules went with its network namespace`);
    await Promise.all(
      [...states].map(async ([node, state]) => {
        if (state.sidecar && !(await state.sidecar.running())) {
          // The sidecar went away but the rules live on in the target's namespace: clean them with a new one.
          state.sidecar = undefined;
          state.generation++;
          if (await targetRunning(node)) notes.push(`${node}: sidecar was gone at heal; removed the rules with a new one`);
        }
        if (!state.hasTable && state.qdiscs.length === 0) return;
        try {
          await removeFrom(node, state, nets.get(node));
        } catch (error) {
          const fresh = (await inspectNodes(topology, [node]).catch(() => undefined))?.get(node);
          if (!fresh?.running) return void goneNote(node);
          const retry = choice.access === "host" && fresh.sandboxKey !== nets.get(node)?.sandboxKey;
          if (!retry) return void failures.push(`${node}: ${errorMessage(error)}`);
          await removeFrom(node, state, fresh).catch((again: unknown) => failures.push(`${node}: ${errorMessage(again)}`));
        }
      }),
    );
    const effectEnd = ctx.clock.epochNow();
    await Promise.all([...states].map(([node, s]) => s.sidecar?.close().catch((e: unknown) => failures.push(`removing the sidecar of ${node}: ${errorMessage(e)}`))));
    if (failures.length) {
      notes.push(`heal failed: ${failures.join("; ")}`);
      throw new Error(`${plan.key}: heal failed: ${failures.join("; ")}`);
    }
    return effectEnd;
  };

  try {
    const applied = await Promise.all(plan.nodes.map((node) => apply(node, nets, states.get(node)!, true)));
    notes.push(...applied.flat());
  } catch (error) {
    await removeAll().catch(() => undefined);
    throw error;
  }
  const inPlaceAt = ctx.clock.epochNow();
  notes.push(`rules in place and verified in ${plan.nodes.length} namespace(s) ${Math.round(inPlaceAt - calledAt)} ms after the call (${choice.access})`);

  // Re-apply when a node or peer starts again while the fault is due (its namespace, and so our rules, are new).
  let queue: Promise<void> = Promise.resolve();
  const onStart = async (node: string, startedAt: number) => {
    if (healing) return;
    const before = book;
    nets = await inspectNodes(topology, involved);
    const after = addressBook(nets);
    book = after;
    const changed = changedNodes(before, after);
    const own = states.get(node);
    if (own) {
      const died = ctx.events.events.filter((e) => e.node === node && e.action === "die" && e.epochMs >= calledAt && e.epochMs <= startedAt).at(-1);
      const goneAt = died?.epochMs ?? startedAt;
      // A sidecar of the old namespace is stranded there; the host path holds nothing.
      const stranded = own.sidecar;
      own.sidecar = undefined;
      own.hasTable = false;
      own.qdiscs = [];
      await stranded?.close().catch(() => undefined);
      own.generation++;
      try {
        await apply(node, nets, own, false);
        const backAt = ctx.clock.epochNow();
        notes.push(`${node} restarted: its rules were absent from ${onClock(ctx.clock, goneAt)} ms to ${onClock(ctx.clock, backAt)} ms (${Math.round(backAt - goneAt)} ms); re-applied in its new namespace, addresses ${describeAddresses(after, [node])}`);
      } catch (error) {
        notes.push(`${node} restarted at ${onClock(ctx.clock, startedAt)} ms but re-applying failed: ${errorMessage(error)} (retried on its next start)`);
      }
    }
    const others = plan.nodes.filter((n) => n !== node && changed.some((c) => c !== n));
    if (changed.length && others.length) {
      const results = await Promise.allSettled(others.map((n) => apply(n, nets, states.get(n)!, false)));
      const doneAt = ctx.clock.epochNow();
      const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${others[i]}: ${errorMessage(r.reason)}`] : []));
      notes.push(
        `${changed.join(", ")} changed address (${describeAddresses(before, changed)} -> ${describeAddresses(after, changed)}): rules of ${others.join(", ")} matched the old addresses from ${onClock(ctx.clock, startedAt)} ms to ${onClock(ctx.clock, doneAt)} ms` +
          (failed.length ? `; re-applying failed on ${failed.join("; ")}` : ""),
      );
    } else if (!own) notes.push(`peer ${node} restarted at ${onClock(ctx.clock, startedAt)} ms with unchanged addresses; rules still match`);
  };
  for (const node of involved) {
    void (async () => {
      let since = calledAt;
      while (!healing) {
        const event = await ctx.events.waitFor(node, "start", since, WATCH_SLICE_MS);
        if (!event || healing) continue;
        since = event.epochMs + 0.001;
        queue = queue.then(() => onStart(node, event.epochMs)).catch((error: unknown) => void notes.push(`re-applying after ${node} started failed: ${errorMessage(error)}`));
      }
    })();
  }

  return {
    injectedAtMs: runMs(ctx.clock, inPlaceAt),
    mechanism,
    notes,
    heal: healOnce(async () => {
      healing = true;
      await queue;
      const healCalled = ctx.clock.epochNow();
      const effectEnd = await removeAll();
      notes.push(`healed: rules removed ${Math.round(effectEnd - healCalled)} ms after the heal call${choice.access === "sidecar" ? `, sidecars removed ${Math.round(ctx.clock.epochNow() - healCalled)} ms after it` : ""}`);
      return runMs(ctx.clock, effectEnd);
    }),
  };
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
