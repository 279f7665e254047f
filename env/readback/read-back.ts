import { errorMessage } from "../../core/errors.ts";
import type { ReadbackRecord, ReplicaRead } from "../../core/history.ts";
import type { Logger } from "../../core/log.ts";
import { readbackFrom, type Readback } from "./registry.ts";
import type { Topology } from "../../core/topology.ts";
import type { RunSecrets } from "../secrets.ts";
import { assertOwnTarget } from "../target-guard.ts";
import { findPrimaries } from "../topology/primary.ts";
import type { StartedTopology } from "../topology/started-topology.ts";
import type { ReadOutcome } from "./readback-kind.ts";
import { readbackKind } from "./registry.ts";

/** Pause between two attempts at an unreachable store, ms. */
const RETRY_PAUSE_MS = 1_000;
/** How long a node whose ids differ from the primary's is re-read before it counts as diverged (replication in flight), ms. */
export const CONVERGENCE_SETTLE_MS = 5_000;
/** Ids kept per sample in reports. */
const SAMPLE = 20;

export interface ReadbackContext {
  topology: StartedTopology;
  roles: Topology["roles"];
  secrets: RunSecrets;
  log?: Logger;
}

export interface ReadBackResult {
  /** Ids stored; [] when the store lost what it held; null when it could not be reached. */
  ids: string[] | null;
  record: ReadbackRecord;
}

/**
 * Reads a store's ids from the readback's node (or the current primary of its role), retrying an unreachable
 * store for `retryForMs` (default the spec's retryFor). A store that answers without what it held ends at once.
 */
export async function readBack(spec: Readback, ctx: ReadbackContext, retryForMs = spec.retryFor): Promise<ReadBackResult> {
  const kind = readbackKind(spec);
  const what = kind.describe(spec);
  const startedMs = Date.now();
  let attempts = 0;
  let node: string | null = null;
  let last: ReadOutcome = { kind: "unreachable", why: "not tried" };
  let note: string | undefined;
  do {
    if (attempts > 0) await pause(RETRY_PAUSE_MS);
    attempts++;
    try {
      const nodes = await readNodes(spec, ctx);
      node = nodes[0]!;
      note = nodes.length > 1 ? `${nodes.length} nodes answered the primary probe (${nodes.join(", ")}); read ${node}` : undefined;
      last = await readNode(spec, node, ctx);
    } catch (error) {
      // No primary found (an election under way) or the guard refused: the store cannot be asked yet.
      last = { kind: "unreachable", why: ctx.secrets.redact(errorMessage(error)) };
    }
  } while (last.kind === "unreachable" && Date.now() - startedMs < retryForMs);
  const why = last.kind === "ok" ? note : [ctx.secrets.redact(last.why), note].filter(Boolean).join("; ");
  const record: ReadbackRecord = { node, what, outcome: last.kind, attempts, elapsedMs: Date.now() - startedMs, retryForMs, ...(why ? { why } : {}) };
  return { ids: last.kind === "ok" ? last.ids : last.kind === "store-lost" ? [] : null, record };
}

/**
 * The convergence check's reads: every node of the readback's `convergence` set, compared with the primary's ids.
 * A node that differs is re-read for CONVERGENCE_SETTLE_MS (writes still replicating), an unreachable one for
 * retryForMs, before its difference is recorded. While a node differs the primary is read again too (at most once
 * per pause): a write whose client gave up can still commit after the first read (measured: an app finishing a
 * backlog after the traffic ended put 54 ids on every node, the primary included, after its first read, and all
 * three nodes were reported diverged). A node is compared with the primary's latest ids.
 */
export async function readConvergence(spec: Readback, primaryIds: readonly string[], ctx: ReadbackContext, retryForMs = spec.retryFor): Promise<ReplicaRead[]> {
  const members = convergenceNodes(spec, ctx.topology);
  let primary = new Set(primaryIds);
  let primaryReadAtMs = Date.now();
  let rereading: Promise<void> | undefined;
  /** Reads the primary again unless it was read within the last pause; keeps the last ids on any failure. */
  const refreshPrimary = (): Promise<void> => {
    if (Date.now() - primaryReadAtMs < RETRY_PAUSE_MS) return rereading ?? Promise.resolve();
    primaryReadAtMs = Date.now();
    rereading = readNodes(spec, ctx)
      .then((nodes) => readNode(spec, nodes[0]!, ctx))
      .then((outcome) => {
        if (outcome.kind === "ok") primary = new Set(outcome.ids);
      })
      .catch(() => undefined);
    return rereading;
  };
  return Promise.all(
    members.map(async (node): Promise<ReplicaRead> => {
      const startedMs = Date.now();
      let attempts = 0;
      let outcome: ReadOutcome;
      let diff: { lacking: string[]; extra: string[] } = { lacking: [], extra: [] };
      for (;;) {
        if (attempts > 0) await pause(RETRY_PAUSE_MS);
        attempts++;
        outcome = await readNode(spec, node, ctx).catch((error: unknown): ReadOutcome => ({ kind: "unreachable", why: errorMessage(error) }));
        const elapsedMs = Date.now() - startedMs;
        if (outcome.kind === "unreachable") {
          if (elapsedMs < retryForMs) continue;
          break;
        }
        diff = difference(primary, outcome.kind === "ok" ? outcome.ids : []);
        if (diff.lacking.length + diff.extra.length > 0 && outcome.kind === "ok") {
          await refreshPrimary();
          diff = difference(primary, outcome.ids);
        }
        if (diff.lacking.length + diff.extra.length === 0 || elapsedMs >= CONVERGENCE_SETTLE_MS) break;
      }
      const count = outcome.kind === "ok" ? outcome.ids.length : outcome.kind === "store-lost" ? 0 : null;
      return {
        node,
        outcome: outcome.kind,
        count,
        lacking: diff.lacking.length,
        extra: diff.extra.length,
        lackingSample: diff.lacking.slice(0, SAMPLE),
        extraSample: diff.extra.slice(0, SAMPLE),
        attempts,
        elapsedMs: Date.now() - startedMs,
        ...(outcome.kind !== "ok" ? { why: ctx.secrets.redact(outcome.why) } : {}),
      };
    }),
  );
}

/** The nodes a readback's convergence check reads, in topology order; empty without `convergence`. */
export function convergenceNodes(spec: Readback, topology: StartedTopology): string[] {
  const c = spec.convergence;
  if (!c) return [];
  if ("nodes" in c) return [...c.nodes];
  return [...topology.nodes.values()].filter((n) => n.spec.role === c.role).map((n) => n.name);
}

function difference(primary: ReadonlySet<string>, ids: readonly string[]): { lacking: string[]; extra: string[] } {
  const held = new Set(ids);
  return { lacking: [...primary].filter((id) => !held.has(id)), extra: [...held].filter((id) => !primary.has(id)) };
}

/** The node(s) to read: the fixed node, or every node of the role that answers its primary probe now. */
async function readNodes(spec: Readback, ctx: ReadbackContext): Promise<string[]> {
  const from = readbackFrom(spec);
  if (!from) throw new Error(`readback of ${spec.traffic} names no node`);
  if ("node" in from) return [from.node];
  const candidates = [...ctx.topology.nodes.values()].filter((n) => n.spec.role === from.primaryOf).map((n) => n.name);
  return findPrimaries(ctx.topology, ctx.roles, from.primaryOf, candidates);
}

async function readNode(spec: Readback, node: string, ctx: ReadbackContext): Promise<ReadOutcome> {
  const hostPort = ctx.topology.hostPort(node, spec.port);
  assertOwnTarget(ctx.topology.baseUrl(node, spec.port), ctx.topology, `readback of ${spec.traffic} from ${node}`);
  return readbackKind(spec).readOnce(spec, { node, address: ctx.topology.address(node), hostPort }, ctx.secrets);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
