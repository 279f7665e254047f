import { errorMessage } from "../core/errors.ts";
import { isGoneError, proxyName, toxiproxyClient } from "../env/topology/toxiproxy-node.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { z } from "zod";
import { linkFaultProblems, linkScheduled } from "./fault-fields.ts";

/** Disables the link's proxy: open connections are closed and new ones refused; heal enables it again. */
export const LinkDownFault = z.object({ kind: z.literal("link-down"), ...linkScheduled }).strict();
export type LinkDownFault = z.infer<typeof LinkDownFault>;

/**
 * Disables the link's toxiproxy proxy: toxiproxy closes its listener and every open connection through the link, so
 * clients see "connection refused" (nodes reached directly are untouched). Verified by the API listing the proxy as
 * disabled. Heal enables it again (verified the same way); fine when the proxy or toxiproxy is already gone.
 */
export const linkDown: FaultKind<LinkDownFault> = {
  kind: "link-down",
  schema: LinkDownFault,
  effect: "link",
  check(spec, view, report, path) {
    if (view.topology) for (const message of linkFaultProblems(spec, view.topology)) report([...path, "link"], message);
  },
  async inject(ctx: FaultContext, spec: LinkDownFault): Promise<FaultHandle> {
    const link = ctx.topology.link(spec.link);
    const client = toxiproxyClient(ctx.topology.toxiproxyApiUrl());
    const proxy = await client.get(proxyName(link));
    const calledAt = Date.now();
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    if ((await client.get(proxy.name)).enabled) throw new Error(`link-down: toxiproxy still lists link ${link.name} as enabled`);
    const effectEpochMs = Date.now();
    const notes = [`proxy ${proxy.name} disabled ${effectEpochMs - calledAt} ms after the call; link ${link.name}:${link.listenPort} -> ${link.to.node}:${link.to.port}`];
    return {
      injectedAtMs: runMs(ctx.clock, effectEpochMs),
      mechanism: `toxiproxy proxy ${proxy.name} disabled (link ${link.name} down)`,
      notes,
      heal: healOnce(async () => {
        const healStarted = Date.now();
        try {
          await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
          if (!(await client.get(proxy.name)).enabled) throw new Error(`link-down heal: toxiproxy still lists link ${link.name} as disabled`);
        } catch (error) {
          if (!isGoneError(error)) {
            notes.push(`heal failed: ${errorMessage(error)}`);
            throw error;
          }
          notes.push(`heal: proxy ${proxy.name} or toxiproxy was already gone (${errorMessage(error)})`);
          return runMs(ctx.clock);
        }
        notes.push(`proxy ${proxy.name} enabled again ${Date.now() - healStarted} ms after the heal call`);
        return runMs(ctx.clock);
      }),
    };
  },
};
