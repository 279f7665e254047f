import { LOCAL_HOST } from "../../core/hosts.ts";
import { TOXIPROXY_NODE } from "../../core/topology.ts";
import { distributeImages, type ImageNeed } from "../../env/docker/image-transfer.ts";
import type { Engine } from "../../env/docker/engines.ts";
import { toxiproxyImage } from "../../env/images/toxiproxy/images.ts";
import { sidecarImagesOf } from "../../faults/registry.ts";
import { K6_IMAGE } from "../../load/start-traffic.ts";
import type { RunState } from "./run-state.ts";

/**
 * What each remote host needs present before anything starts there: its nodes' images (the run's pinned builds), the
 * links' proxy when it is placed there, the sidecar images of the plan's fault kinds where nodes are, and the k6
 * image where generators are. Each keeps its `:dev` tag there as a cache, so the next run copies only what changed.
 */
export function hostImageNeeds(run: RunState): Map<Engine, ImageNeed[]> {
  const placement = run.placement;
  const needs = new Map<Engine, ImageNeed[]>();
  if (!placement) return needs;
  const add = (host: string, need: ImageNeed) => {
    if (host === LOCAL_HOST) return;
    const engine = run.engines.get(host);
    const list = needs.get(engine) ?? [];
    if (!list.some((n) => n.ref === need.ref)) list.push(need);
    needs.set(engine, list);
  };
  const pinned = run.pinned ? run.pinned.apply(run.scenario.topology) : run.scenario.topology;
  run.scenario.topology.nodes.forEach((node, i) => add(placement.nodes.get(node.name)!, { ref: pinned.nodes[i]!.image, cacheTag: node.image }));
  const proxyHost = placement.nodes.get(TOXIPROXY_NODE);
  if (proxyHost) add(proxyHost, { ref: toxiproxyImage.tag, cacheTag: toxiproxyImage.tag });
  const sidecars = sidecarImagesOf(run.plan.faults.map((f) => f.spec.kind));
  for (const host of new Set(placement.nodes.values())) for (const image of sidecars) add(host, { ref: image, cacheTag: image });
  for (const hosts of placement.generators.values()) for (const host of hosts) add(host, { ref: K6_IMAGE, cacheTag: K6_IMAGE });
  return needs;
}

/** Copies what the remote hosts lack (stage "bootstrap", after the images are built and pinned here). */
export async function copyImagesToHosts(run: RunState): Promise<void> {
  const needs = hostImageNeeds(run);
  if (needs.size === 0) return;
  run.hostImages = await distributeImages(run.engines.local.docker, needs, run.log);
  for (const [host, images] of run.hostImages) {
    const copied = [...images.values()].filter((i) => i.transferred);
    const mb = copied.reduce((n, i) => n + (i.bytes ?? 0), 0) / 1e6;
    run.log.info(`host ${host}: ${images.size} image(s) present, ${copied.length} copied (${mb.toFixed(0)} MB)`);
  }
}
