import { errorMessage } from "../core/errors.ts";
import { isGoneError, listToxics, proxyName, toxiproxyClient } from "../env/topology/toxiproxy-node.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { z } from "zod";
import { Milliseconds } from "../core/duration.ts";
import { linkFaultProblems, linkScheduled } from "./fault-fields.ts";

/** Which way the toxic applies: upstream = client -> server bytes, downstream = server -> client bytes. */
export const ToxicDirection = z.enum(["upstream", "downstream"]);

/** The toxiproxy toxics, keyed on `type` (toxiproxy's own names); units in the field names. */
export const Toxic = z.discriminatedUnion("type", [
  /** Delays every chunk of data by latency ± jitter. */
  z.object({ type: z.literal("latency"), latencyMs: Milliseconds, jitterMs: Milliseconds.default(0) }).strict(),
  /** Caps throughput at `rateKBps` kilobytes per second. */
  z.object({ type: z.literal("bandwidth"), rateKBps: z.number().int().min(0) }).strict(),
  /** Delays the close of the socket by `delayMs` after the other side closed. */
  z.object({ type: z.literal("slow_close"), delayMs: Milliseconds }).strict(),
  /** Passes no data; closes the connection after `timeoutMs` (0: holds it open, data delayed until healed). */
  z.object({ type: z.literal("timeout"), timeoutMs: Milliseconds }).strict(),
  /** Resets connections (TCP RST, "connection reset by peer") at once or after `timeoutMs`. Default 0. */
  z.object({ type: z.literal("reset_peer"), timeoutMs: Milliseconds.default(0) }).strict(),
  /** Slices data into chunks of averageSize ± sizeVariation bytes with `delayUs` microseconds between them. */
  z
    .object({ type: z.literal("slicer"), averageSize: z.number().int().min(1), sizeVariation: z.number().int().min(0).default(0), delayUs: z.number().int().min(0).default(0) })
    .strict()
    .refine((t) => t.sizeVariation < t.averageSize, { message: "sizeVariation must be smaller than averageSize", path: ["sizeVariation"] }),
  /** Closes a connection once `bytes` bytes have passed through it. */
  z.object({ type: z.literal("limit_data"), bytes: z.number().int().min(0) }).strict(),
]);
export type Toxic = z.infer<typeof Toxic>;

/** Adds one toxiproxy toxic to a link; heal removes it. */
export const LinkToxicFault = z
  .object({
    kind: z.literal("link-toxic"),
    ...linkScheduled,
    toxic: Toxic,
    /** Default "downstream" (server -> client), toxiproxy's default. */
    direction: ToxicDirection.default("downstream"),
    /** Share of connections affected, 0..1. Default 1 (all). */
    toxicity: z.number().min(0).max(1).default(1),
  })
  .strict();
export type LinkToxicFault = z.infer<typeof LinkToxicFault>;

/** toxiproxy's attribute names and units for each toxic (toxiproxy README, "Toxics"). */
export function toxicAttributes(toxic: Toxic): Record<string, number> {
  switch (toxic.type) {
    case "latency":
      return { latency: toxic.latencyMs, jitter: toxic.jitterMs };
    case "bandwidth":
      return { rate: toxic.rateKBps };
    case "slow_close":
      return { delay: toxic.delayMs };
    case "timeout":
      return { timeout: toxic.timeoutMs };
    case "reset_peer":
      return { timeout: toxic.timeoutMs };
    case "slicer":
      return { average_size: toxic.averageSize, size_variation: toxic.sizeVariation, delay: toxic.delayUs };
    case "limit_data":
      return { bytes: toxic.bytes };
  }
}

let toxicCounter = 0;

/**
 * Adds a toxic to the link's toxiproxy proxy; it applies to open and new connections through the link at once.
 * Verified by the API listing it with the asked type, stream and attributes; the effect time is that moment.
 * `targets` are not acted on (see linkScheduled in fault-fields.ts). Heal deletes the toxic, checks the API lists it no
 * more, and is fine when the toxic, the proxy or toxiproxy itself is already gone.
 */
export const linkToxic: FaultKind<LinkToxicFault> = {
  kind: "link-toxic",
  schema: LinkToxicFault,
  effect: "link",
  check(spec, view, report, path) {
    if (view.topology) for (const message of linkFaultProblems(spec, view.topology)) report([...path, "link"], message);
  },
  async inject(ctx: FaultContext, spec: LinkToxicFault): Promise<FaultHandle> {
    const link = ctx.topology.link(spec.link);
    const apiUrl = ctx.topology.toxiproxyApiUrl();
    const proxy = await toxiproxyClient(apiUrl).get(proxyName(link));
    const name = `havoc-${spec.id ?? spec.toxic.type}-${process.pid}-${++toxicCounter}`;
    const attributes = toxicAttributes(spec.toxic);
    const calledAt = Date.now();
    await proxy.addToxic({ name, type: spec.toxic.type, stream: spec.direction, toxicity: spec.toxicity, attributes });
    const listed = (await listToxics(apiUrl, proxy.name)).find((t) => t.name === name);
    const differs = !listed || listed.type !== spec.toxic.type || listed.stream !== spec.direction || Object.entries(attributes).some(([k, v]) => listed.attributes[k] !== v);
    if (differs) throw new Error(`link-toxic: toxiproxy does not list toxic ${name} as asked on link ${link.name} (listed: ${JSON.stringify(listed)})`);
    const effectEpochMs = Date.now();
    const described = `${spec.toxic.type} ${JSON.stringify(attributes)} ${spec.direction}, toxicity ${spec.toxicity}`;
    const notes = [`toxic ${name} (${described}) listed by toxiproxy ${effectEpochMs - calledAt} ms after the call; link ${link.name}:${link.listenPort} -> ${link.to.node}:${link.to.port}`];
    return {
      injectedAtMs: runMs(ctx.clock, effectEpochMs),
      mechanism: `toxiproxy toxic ${described} on link ${link.name}`,
      notes,
      heal: healOnce(async () => {
        const healStarted = Date.now();
        try {
          await proxy.getToxic(name).then((toxic) => toxic.remove());
        } catch (error) {
          if (!isGoneError(error)) {
            notes.push(`heal failed: ${errorMessage(error)}`);
            throw error;
          }
          notes.push(`heal: toxic ${name} or its proxy was already gone (${errorMessage(error)})`);
          return runMs(ctx.clock);
        }
        const remaining = await listToxics(apiUrl, proxy.name).catch(() => []);
        if (remaining.some((t) => t.name === name)) throw new Error(`link-toxic heal: toxiproxy still lists toxic ${name} on link ${link.name}`);
        notes.push(`toxic ${name} removed, ${Date.now() - healStarted} ms after the heal call`);
        return runMs(ctx.clock);
      }),
    };
  },
};
