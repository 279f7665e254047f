import type { ScenarioInput } from "../../api/index.ts";
import { pghaDbNodes, pghaDefaults, pghaEtcdNodes, pghaReadback, pghaSecrets, pghaTopology, replicationLinkOf } from "./topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * The pgha scenarios (scenarios/pgha/), one builder per fault story, each made for both replication modes. A
 * scenario file is one call, so every mode runs the same topology, traffic and schedule and differs only in
 * Patroni's synchronous_mode. Expected outcomes are in the SLOs; where asynchronous replication is expected to lose
 * acknowledged writes the SLO says so in its comment and the scenario's description, and the test asserts the FAIL.
 */
export type ReplicationMode = "sync" | "async";

const traffic = "devices";
/** Device writes per second: enough that a second of lost replication is dozens of lost readings, light enough for 2 cores. */
export const pghaWriteRate = 40;

/**
 * Devices posting readings through trackr's balancer, one attempt each (no firmware retries), so every lost id is one
 * acknowledged write. 6 s timeout: longer than the app's 4 s query timeout, so a blocked commit comes back as the
 * app's 503, not as a client timeout. 400 VUs: while commits block, every request may take the whole 6 s, and
 * 40/s x 6 s = 240 requests in flight; k6's default 200 dropped iterations (measured: 23 in a synchronous zombie
 * run, which turned its outage SLO into "unknown").
 */
function devices(durationS: number): ScenarioInput["traffic"] {
  return [
    deviceFleet({ name: traffic, target: { node: "lb", port: 80 }, ratePerSecond: pghaWriteRate, devices: 40, maxVUs: 400, duration: `${durationS}s`, requestTimeout: "6s" }),
  ];
}

const synchronous = (mode: ReplicationMode) => mode === "sync";

/**
 * Availability before the first fault (at `faultAtS`): the steady state the fault is measured against. It ends 3 s
 * before the fault, not at it: ops count in the second they started, and on a loaded machine a write started a second
 * before the kill and still in flight when the primary died failed because of the fault (measured: 10 such writes
 * made a "before" window fail at 98.3 %).
 */
const steadyBefore = (faultAtS: number) =>
  ({ id: "writes-before-fault", kind: "availability", traffic, window: { kind: "interval", from: 0, to: (faultAtS - 3) * 1_000 }, atLeastPercent: 99 }) as const;

/**
 * Lost acknowledged writes. Synchronous mode claims none on any single failure; asynchronous mode claims none too
 * when it is written as an SLO, and the scenarios where it cannot keep that say "expected to FAIL" in their
 * descriptions: the test then asserts the FAIL and the count.
 */
const noneLost = { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic, atMost: 0 } as const;

/** After the tail every PostgreSQL node holds exactly the primary's ids (a rewound node included). */
const converged = { id: "every-node-converged", kind: "convergence", traffic, atMost: 0 } as const;

/**
 * Failover claim: Patroni replaces a dead leader once its key expires (ttl), the next HA loop (loop_wait) promotes a
 * replica, and the routers (pgproxy's check every 0.5 s, the apps' pools, trackr's balancer's app checks) follow
 * within about 2 s. So writes work again within ttl + loop_wait + 3 s after the kill.
 */
export const failoverClaimMs = (pghaDefaults.ttl + pghaDefaults.loopWait + 3) * 1_000;

/**
 * Primary SIGKILLed under device writes (the node's whole container: Patroni and PostgreSQL die together) at 15 s;
 * started again at 35 s it rejoins as a replica (crash recovery, pg_rewind). Sync: nothing acknowledged lost. Async:
 * what the dead primary had acknowledged but not yet sent is lost; on a quiet local network that is at most the last
 * few ms of commits, often nothing.
 */
export function primaryKill(mode: ReplicationMode): ScenarioInput {
  return {
    name: `pgha-primary-kill-${mode}`,
    tags: ["pgha", "postgres", "failover", ...(mode === "sync" ? ["ci"] : [])],
    description:
      mode === "sync"
        ? "SIGKILL the Patroni primary under device writes: a synchronous standby takes over within ttl, nothing acknowledged is lost, every node converges"
        : "SIGKILL the Patroni primary under device writes: an asynchronous replica takes over within ttl; commits not yet streamed when it died may be lost (the test asserts what the ledger shows)",
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous: synchronous(mode) }),
    traffic: devices(60),
    faults: [{ id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "15s", for: "20s", signal: "SIGKILL" }],
    readback: [pghaReadback(traffic)],
    tail: "20s",
    slos: [
      steadyBefore(15),
      { id: "failover", kind: "recovery-time", traffic, fault: "kill-primary", from: "inject", atMost: failoverClaimMs },
      noneLost,
      converged,
    ],
  };
}

/**
 * The classic zombie primary: at 15 s pg-1 (the first leader) is cut from etcd and from both replicas, while pgproxy
 * (and through it the apps) still reach it, for 25 s. Its Patroni cannot renew the leader key, so it demotes itself
 * within loop_wait + 2 x retry_timeout (8 s), before the key expires (ttl, 10 s) and a replica is elected. Until then
 * pgproxy still sends writes to it: async acknowledges them (they live only on pg-1 and are erased by pg_rewind when
 * it rejoins after the heal: expected to FAIL no-acknowledged-write-lost); sync cannot (its commits wait for a standby
 * it cannot reach), so nothing it did acknowledge is lost.
 */
export function zombiePrimary(mode: ReplicationMode): ScenarioInput {
  const [oldPrimary, ...replicas] = pghaDbNodes;
  return {
    name: `pgha-zombie-primary-${mode}`,
    tags: ["pgha", "postgres", "partition"],
    // Asynchronous: the zombie acknowledges writes pg_rewind erases (the finding this scenario exists to show).
    ...(mode === "async" ? { expect: "fail" as const, expectFailing: ["no-acknowledged-write-lost"] } : {}),
    description:
      mode === "sync"
        ? "Cut the primary from etcd and the replicas while the apps still reach it: its commits block until Patroni demotes it, a standby takes over, nothing acknowledged is lost"
        : "Cut the primary from etcd and the replicas while the apps still reach it: it acknowledges writes until Patroni demotes it; pg_rewind erases them on rejoin (expected to FAIL no-acknowledged-write-lost)",
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous: synchronous(mode) }),
    traffic: devices(70),
    faults: [
      {
        id: "isolate-primary",
        kind: "partition",
        // pgproxy, the apps and lb are in no group: they keep reaching every node, pg-1 included (pgproxy's health
        // checks too, so it follows what Patroni's REST API says on each side).
        groups: [[oldPrimary], [...pghaEtcdNodes, ...replicas]],
        at: "15s",
        for: "25s",
      },
    ],
    readback: [pghaReadback(traffic)],
    tail: "25s",
    slos: [
      steadyBefore(15),
      // From the last write the zombie took to the first the new leader took: demotion to election to routing.
      { id: "longest-write-outage", kind: "longest-outage", traffic, window: { kind: "fault", fault: "isolate-primary", phase: "during" }, atMost: failoverClaimMs },
      noneLost,
      converged,
    ],
  };
}

/** Replication delay put on the leader's link in the lag scenario, ms. */
export const replicationDelayMs = 2_000;

/**
 * A replica lagging when the primary dies. Every node reaches the others through its own toxiproxy link, so pg-1's
 * replication to both replicas runs through `pg-1-repl`. From 10 s that link delays what pg-1 sends by 2 s; at 20 s
 * pg-1's site goes dark: pg-1 is SIGKILLed and its link cut right after (the WAL in flight on it is gone, as on a
 * wire whose far end died). Async: a replica 2 s behind is promoted, losing about 2 s of acknowledged writes (expected to FAIL
 * no-acknowledged-write-lost). Sync: every commit waited for the synchronous standby, 2 s away, so most writes time
 * out during the lag (expected to FAIL writes-while-replication-lags) but the promoted standby holds every
 * acknowledged one.
 */
export function laggingReplicaFailover(mode: ReplicationMode): ScenarioInput {
  const link = replicationLinkOf(pghaDbNodes[0]);
  return {
    name: `pgha-lagging-replica-${mode}`,
    tags: ["pgha", "postgres", "replication-lag"],
    // Both modes pay: sync with writes during the lag, async with the writes the lagging replica never got.
    expect: "fail",
    expectFailing: [mode === "sync" ? "writes-while-replication-lags" : "no-acknowledged-write-lost"],
    description:
      mode === "sync"
        ? "Delay the primary's replication by 2 s, then lose the primary and its link: commits wait for the lagging standby (expected to FAIL writes-while-replication-lags), which takes over holding every acknowledged write"
        : "Delay the primary's replication by 2 s, then lose the primary and its link: a lagging replica takes over and about 2 s of acknowledged writes are lost (expected to FAIL no-acknowledged-write-lost)",
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous: synchronous(mode), replicationLinks: true }),
    traffic: devices(65),
    faults: [
      { id: "replication-lag", kind: "link-toxic", link, target: { names: [pghaDbNodes[0]] }, toxic: { type: "latency", latencyMs: replicationDelayMs }, direction: "downstream", at: "10s", for: "30s" },
      // The kill first, then (as soon as its death is verified) the link: so the primary has no HA loop in which to
      // see its synchronous standby gone and fall back to asynchronous commits (non-strict synchronous_mode does that;
      // measured once with the link cut first: no standby was synchronous any more when pg-1 died, so none could be
      // promoted and writes waited 34 s for pg-1 to come back). What the link still holds then dies with it.
      { id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "20s", for: "20s", signal: "SIGKILL" },
      { id: "primary-link-cut", kind: "link-down", link, target: { names: [pghaDbNodes[0]] }, at: "20s", for: "20s" },
    ],
    readback: [pghaReadback(traffic)],
    tail: "25s",
    slos: [
      steadyBefore(10),
      // What each mode pays while replication lags (from the first whole second of the lag to the cut): async keeps
      // taking writes at full speed; sync makes every commit wait 2 s for its standby, so 24 pooled connections carry
      // at most 12 of the 40 writes a second and the rest time out (expected to FAIL in sync mode).
      { id: "writes-while-replication-lags", kind: "availability", traffic, window: { kind: "interval", from: "11s", to: "20s" }, atLeastPercent: 99 },
      { id: "failover", kind: "recovery-time", traffic, fault: "kill-primary", from: "inject", atMost: failoverClaimMs },
      noneLost,
      converged,
    ],
  };
}

/**
 * Writes back after a whole-cluster restart, from the kill: 5 s down, up to ~10 s for six containers to start and
 * PostgreSQL to finish crash recovery on a loaded 2-core machine, then a failover's worth (ttl + loop_wait + 3 s):
 * the restarted leader's Patroni does not own the lease its key was written with ("I am the leader but not owner of
 * the lease"), so the key expires ttl after etcd is back and the leader race runs again.
 */
export const restartClaimMs = 5_000 + 10_000 + failoverClaimMs;

/**
 * The whole cluster (three PostgreSQL nodes and three etcd members) SIGKILLed at once at 15 s and started again 5 s
 * later, as after a power loss. Writes work again once etcd has a quorum, a Patroni holds the leader key and its
 * PostgreSQL has finished crash recovery. Sync: the leader race can only be won by the former leader or its
 * synchronous standby, so nothing acknowledged is lost. Async: when the former leader is still in crash recovery as
 * its key expires, a replica that lacks its last commits wins the race and pg_rewind erases them on the former
 * leader (measured: 9 writes, once); the SLO keeps the claim "none lost" and the test asserts what happened.
 */
export function wholeClusterRestart(mode: ReplicationMode): ScenarioInput {
  return {
    name: `pgha-whole-cluster-restart-${mode}`,
    tags: ["pgha", "postgres", "restart", "slow"],
    description:
      mode === "sync"
        ? "SIGKILL every PostgreSQL node and etcd member at once and start them again after 5 s: writes come back, nothing acknowledged is lost, every node converges"
        : "SIGKILL every PostgreSQL node and etcd member at once and start them again after 5 s: writes come back; if a replica wins the leader race the former leader's last commits are lost (may FAIL no-acknowledged-write-lost)",
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous: synchronous(mode) }),
    traffic: devices(60),
    faults: [{ id: "restart-cluster", kind: "kill", target: { names: [...pghaDbNodes, ...pghaEtcdNodes], mode: "all" }, at: "15s", for: "5s", signal: "SIGKILL" }],
    readback: [pghaReadback(traffic)],
    tail: "25s",
    slos: [
      steadyBefore(15),
      { id: "writes-back", kind: "recovery-time", traffic, fault: "restart-cluster", from: "inject", atMost: restartClaimMs },
      noneLost,
      converged,
    ],
  };
}
