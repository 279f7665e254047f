import { randomBytes } from "node:crypto";
import { errorMessage } from "../../core/errors.ts";
import type { RunClock } from "../../core/clock.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle } from "../fault.ts";
import { cutTableBody, deleteTableCommand, listsTable, nftTableName, replaceTableScript } from "./nft-rules.ts";
import type { CutPair } from "./partition-groups.ts";
import { changedNodes, describeAddresses, interfacesFor, ipsOf, resolveAddresses, type AddressBook } from "./peers.ts";
import { startSidecar, type Sidecar } from "./sidecar.ts";
import { qdiscDeleteCommand, qdiscKind } from "./tc-commands.ts";

/** What one node's namespace gets, computed from the current addresses (so a re-apply follows address changes). */
export interface NodeEffect {
  /** Body of the fault's `table inet havoc_<fault>` (see nft-rules.ts); undefined: no table. */
  nftBody?: string;
  /** Texts the listed table must contain after applying (e.g. the peer addresses). */
  expectInTable?: readonly string[];
  /** The tc command for one interface; run for every interface carrying one of the node's addresses. */
  qdisc?: (iface: string) => string[];
}

export interface NetnsFaultPlan {
  /** The fault id (label value, table name), see faultKey(). */
  key: string;
  mechanism: string;
  /** Nodes whose namespaces get a sidecar and the effect. */
  nodes: readonly string[];
  /** Nodes whose addresses the rules use; a restart of one re-resolves addresses and re-applies. */
  peers: readonly string[];
  effect(node: string, book: AddressBook): NodeEffect;
  /** A cut pair to probe after applying (TCP connect from `from`'s namespace must time out); `from` must be in `nodes`. */
  probe?: CutPair;
  /** Notes known before injecting (groups, mechanism choice). */
  notes?: string[];
}

/** A cut pair's probe: a connect that gets no answer within this is "cut" (a reachable peer answers in < 5 ms, RST or SYN-ACK). */
const PROBE_TIMEOUT_S = 0.4;
/** Any port works: a reachable peer answers a closed port with RST; a cut one never answers. */
const PROBE_PORT = 9;
/** How long each event wait lasts before the loop checks whether the fault was healed. */
const WATCH_SLICE_MS = 1_000;

/** The fault's id for labels and the nft table: the scenario id, else "<kind>-<6 hex>". */
export function faultKey(spec: { kind: string; id?: string | undefined }): string {
  return spec.id ?? `${spec.kind}-${randomBytes(3).toString("hex")}`;
}

interface NodeState {
  sidecar?: Sidecar;
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
 * Applies a per-namespace network fault through sidecars, verifies it, and keeps it applied while due:
 * a restarted node (new namespace, rules gone, sidecar stranded) gets a new sidecar and its rules again; a
 * restarted peer's addresses are resolved again and the other namespaces' rules replaced. Each gap is noted.
 */
export async function injectNetnsFault(ctx: FaultContext, plan: NetnsFaultPlan): Promise<FaultHandle> {
  const calledAt = ctx.clock.epochNow();
  const { topology } = ctx;
  const table = nftTableName(plan.key);
  const notes: string[] = [...(plan.notes ?? [])];
  const involved = [...new Set([...plan.nodes, ...plan.peers])];
  const states = new Map<string, NodeState>(plan.nodes.map((n) => [n, { generation: 0, hasTable: false, qdiscs: [] }]));
  let book: AddressBook = await resolveAddresses(topology, involved);
  let healing = false;

  const notRunning = plan.nodes.filter((n) => (book.get(n) ?? []).length === 0);
  if (notRunning.length) throw new Error(`${plan.key}: target(s) not running, no network namespace to fault: ${notRunning.join(", ")}`);
  const absentPeers = plan.peers.filter((n) => (book.get(n) ?? []).length === 0);
  if (absentPeers.length) notes.push(`peer(s) without an address (not running): ${absentPeers.join(", ")}; rules follow them when they start`);
  notes.push(`addresses: ${describeAddresses(book, involved)}`);

  const newSidecar = async (node: string, state: NodeState) => {
    state.sidecar = await startSidecar({ runId: topology.runId, faultKey: plan.key, node, targetContainer: topology.node(node).containerName, generation: state.generation });
  };

  const apply = async (node: string, current: AddressBook, state: NodeState) => {
    const sidecar = state.sidecar;
    if (!sidecar) throw new Error(`no sidecar for ${node}`);
    const effect = plan.effect(node, current);
    if (effect.nftBody !== undefined) {
      await sidecar.runShell('printf "%s" "$1" | nft -f -', [replaceTableScript(table, effect.nftBody)]);
      state.hasTable = true;
      const listed = await sidecar.run(["nft", "list", "table", "inet", table]);
      const missing = (effect.expectInTable ?? []).filter((text) => !listed.includes(text));
      if (missing.length) throw new Error(`${node}: table ${table} lacks ${missing.join(", ")} after applying`);
    }
    if (effect.qdisc) {
      const own = (current.get(node) ?? []).map((a) => a.ip);
      const ifaces = interfacesFor(await sidecar.run(["ip", "-o", "addr", "show"]), own);
      if (ifaces.length === 0) throw new Error(`${node}: no interface carries its addresses ${own.join(", ")}`);
      state.qdiscs = [];
      for (const iface of ifaces) {
        const command = effect.qdisc(iface);
        await sidecar.run(command);
        state.qdiscs.push({ iface, kind: qdiscKind(command) });
        const shown = await sidecar.run(["tc", "qdisc", "show", "dev", iface]);
        if (!shown.includes(qdiscKind(command))) throw new Error(`${node}: ${iface} shows no ${qdiscKind(command)} qdisc after applying: ${shown.trim()}`);
      }
    }
  };

  /** Removes the table and qdiscs in each namespace (verified), then the sidecars. Returns the effect's end (epoch ms). */
  const removeAll = async (): Promise<number> => {
    const failures: string[] = [];
    await Promise.all(
      [...states].map(async ([node, state]) => {
        const targetRunning = async () =>
          (
            await topology
              .container(node)
              .inspect()
              .catch(() => undefined)
          )?.State?.Running === true;
        try {
          if (!(await targetRunning())) return notes.push(`${node} not running at heal: its rules went with its network namespace`);
          let sidecar = state.sidecar;
          if (!sidecar || !(await sidecar.running())) {
            // The sidecar went away but the rules live on in the target's namespace: clean them with a new one.
            state.generation++;
            await newSidecar(node, state);
            sidecar = state.sidecar!;
            notes.push(`${node}: sidecar was gone at heal; removed the rules with a new one`);
          }
          if (state.hasTable) {
            const result = await sidecar.exec(deleteTableCommand(table));
            if (result.exitCode !== 0 && !/No such file|does not exist/i.test(result.output)) throw new Error(`nft delete table: ${result.output.trim()}`);
            if (listsTable(await sidecar.run(["nft", "list", "tables"]), table)) throw new Error(`table ${table} still listed after delete`);
          }
          for (const { iface, kind } of state.qdiscs) {
            const result = await sidecar.exec(qdiscDeleteCommand(iface));
            if (result.exitCode !== 0 && !/No such file|Cannot find device|handle of zero|Invalid handle/i.test(result.output)) throw new Error(`tc qdisc del dev ${iface}: ${result.output.trim()}`);
            const shown = await sidecar.exec(["tc", "qdisc", "show", "dev", iface]);
            if (shown.exitCode === 0 && shown.output.includes(kind)) throw new Error(`${iface} still has a ${kind} qdisc`);
          }
        } catch (error) {
          if (await targetRunning()) failures.push(`${node}: ${errorMessage(error)}`);
          else notes.push(`${node} not running at heal: its rules went with its network namespace`);
        }
      }),
    );
    const effectEnd = ctx.clock.epochNow();
    await Promise.all([...states.values()].map((s) => s.sidecar?.remove().catch((e: unknown) => failures.push(`removing sidecar of ${s.sidecar?.node}: ${errorMessage(e)}`))));
    if (failures.length) {
      notes.push(`heal failed: ${failures.join("; ")}`);
      throw new Error(`${plan.key}: heal failed: ${failures.join("; ")}`);
    }
    return effectEnd;
  };

  try {
    await Promise.all(
      plan.nodes.map(async (node) => {
        const state = states.get(node)!;
        await newSidecar(node, state);
        await apply(node, book, state);
      }),
    );
  } catch (error) {
    await removeAll().catch(() => undefined);
    throw error;
  }
  const inPlaceAt = ctx.clock.epochNow();
  notes.push(`rules in place in ${plan.nodes.length} namespace(s) ${Math.round(inPlaceAt - calledAt)} ms after the call (${plan.mechanism})`);

  if (plan.probe) {
    const { from, to } = plan.probe;
    const address = (book.get(to) ?? [])[0]?.ip;
    if (!address) notes.push(`probe ${from} -> ${to} skipped: ${to} has no address`);
    else {
      const probeStart = ctx.clock.epochNow();
      const result = await states
        .get(from)!
        .sidecar!.exec(["timeout", String(PROBE_TIMEOUT_S), "bash", "-c", 'exec 3<>"/dev/tcp/$1/$2"', "bash", address, String(PROBE_PORT)])
        .catch((error: unknown) => ({ exitCode: -1, output: errorMessage(error) }));
      if (result.exitCode !== 124) {
        await removeAll().catch(() => undefined);
        throw new Error(`${plan.key}: cut not in effect: TCP ${from} -> ${to} (${address}) answered (exit ${result.exitCode} ${result.output.trim()}) instead of timing out`);
      }
      notes.push(`cut verified: TCP ${from} -> ${to} (${address}) got no answer within ${PROBE_TIMEOUT_S * 1000} ms (probe took ${Math.round(ctx.clock.epochNow() - probeStart)} ms)`);
    }
  }

  // Re-apply when a node or peer starts again while the fault is due (its namespace, and so our rules, are new).
  let queue: Promise<void> = Promise.resolve();
  const onStart = async (node: string, startedAt: number) => {
    if (healing) return;
    const before = book;
    const after = await resolveAddresses(topology, involved);
    book = after;
    const changed = changedNodes(before, after);
    const own = states.get(node);
    if (own) {
      const died = ctx.events.events.filter((e) => e.node === node && e.action === "die" && e.epochMs >= calledAt && e.epochMs <= startedAt).at(-1);
      const goneAt = died?.epochMs ?? startedAt;
      const stranded = own.sidecar;
      own.sidecar = undefined;
      own.hasTable = false;
      own.qdiscs = [];
      await stranded?.remove().catch(() => undefined);
      own.generation++;
      try {
        await newSidecar(node, own);
        await apply(node, after, own);
        const backAt = ctx.clock.epochNow();
        notes.push(`${node} restarted: its rules were absent from ${onClock(ctx.clock, goneAt)} ms to ${onClock(ctx.clock, backAt)} ms (${Math.round(backAt - goneAt)} ms); re-applied in a new sidecar, addresses ${describeAddresses(after, [node])}`);
      } catch (error) {
        notes.push(`${node} restarted at ${onClock(ctx.clock, startedAt)} ms but re-applying failed: ${errorMessage(error)} (retried on its next start)`);
      }
    }
    const others = plan.nodes.filter((n) => n !== node && changed.some((c) => c !== n));
    if (changed.length && others.length) {
      const results = await Promise.allSettled(others.map((n) => apply(n, after, states.get(n)!)));
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
    mechanism: plan.mechanism,
    notes,
    heal: healOnce(async () => {
      healing = true;
      await queue;
      const healCalled = ctx.clock.epochNow();
      const effectEnd = await removeAll();
      notes.push(`healed: rules removed ${Math.round(effectEnd - healCalled)} ms after the heal call, sidecars removed ${Math.round(ctx.clock.epochNow() - healCalled)} ms after it`);
      return runMs(ctx.clock, effectEnd);
    }),
  };
}

/**
 * The effect for cut faults: in a node's namespace, drop output to every node it must not reach and input from
 * every node that must not reach it. Each pair is enforced at both ends that have a sidecar.
 */
export function cutEffect(pairs: readonly CutPair[]): (node: string, book: AddressBook) => NodeEffect {
  return (node, book) => {
    const dropTo = ipsOf(book, pairs.filter((p) => p.from === node).map((p) => p.to));
    const dropFrom = ipsOf(book, pairs.filter((p) => p.to === node).map((p) => p.from));
    return { nftBody: cutTableBody({ dropFrom, dropTo }), expectInTable: [...new Set([...dropTo.v4, ...dropFrom.v4])] };
  };
}

/** Nodes that appear in a cut pair (they get a sidecar each). */
export function cutNodes(pairs: readonly CutPair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.from, p.to]))];
}

/** Throws naming unknown nodes. */
export function requireNodes(ctx: FaultContext, names: readonly string[], what: string): void {
  const unknown = names.filter((n) => !ctx.topology.nodes.has(n));
  if (unknown.length) throw new Error(`${what}: unknown node(s) ${unknown.join(", ")} (nodes: ${[...ctx.topology.nodes.keys()].join(", ")})`);
}
