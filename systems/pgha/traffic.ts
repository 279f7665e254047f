import type { K6TrafficInput } from "../../api/index.ts";
import { deviceFleet } from "../trackr/traffic.ts";
import { pghaDefaults } from "./topology.ts";

/** Device writes per second: enough that a second of lost replication is dozens of lost readings, light enough for 2 cores. */
export const pghaWriteRate = 40;

/**
 * Devices posting readings through trackr's balancer, one attempt each (no firmware retries), so every lost id is one
 * acknowledged write. 6 s timeout: longer than the app's 4 s query timeout, so a blocked commit comes back as the
 * app's 503, not as a client timeout. 400 VUs: while commits block, every request may take the whole 6 s, and
 * 40/s x 6 s = 240 requests in flight; k6's default 200 dropped iterations (measured: 23 in a synchronous zombie
 * run, which turned its outage SLO into "unknown").
 */
export function pghaDevices(durationS: number): K6TrafficInput {
  return deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: pghaWriteRate, devices: 40, maxVUs: 400, duration: `${durationS}s`, requestTimeout: "6s" });
}

/**
 * Failover claim: Patroni replaces a dead leader once its key expires (ttl), the next HA loop (loop_wait) promotes a
 * replica, and the routers (pgproxy's check every 0.5 s, the apps' pools, trackr's balancer's app checks) follow
 * within about 2 s. So writes work again within ttl + loop_wait + 3 s after the kill.
 */
export const failoverClaimMs = (pghaDefaults.ttl + pghaDefaults.loopWait + 3) * 1_000;

/**
 * Writes back after a whole-cluster restart, from the kill: 5 s down, up to ~10 s for six containers to start and
 * PostgreSQL to finish crash recovery on a loaded 2-core machine, then a failover's worth (ttl + loop_wait + 3 s):
 * the restarted leader's Patroni does not own the lease its key was written with ("I am the leader but not owner of
 * the lease"), so the key expires ttl after etcd is back and the leader race runs again.
 */
export const restartClaimMs = 5_000 + 10_000 + failoverClaimMs;

/** Replication delay put on the leader's link in the lagging-replica scenarios, ms. */
export const replicationDelayMs = 2_000;
