import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import { newRunId } from "../../engine/runner/run-id.ts";
import type { WorkloadClientContext } from "../../load/workload/client.ts";
import client, { CAS_SCRIPT } from "../../systems/identity/clients/register.ts";
import { outcomeOf } from "../../systems/identity/clients/redis-primary.ts";
import { identityServerImage } from "../../systems/identity/images.ts";
import { leftovers } from "../support/run-cli.ts";
import { Redis } from "ioredis";

/**
 * The identity register client against real Redis 7 (the identity image's redis-server, no Sentinel): a primary r1
 * and its replica r2. What the unit tests take on trust is checked here: the Lua CAS swaps only on a match and says
 * so, a replica refuses the script before running it (READONLY), a process bound to the replica finds the primary by
 * ROLE, and WAIT short of its replicas makes a write info and a read a failure. About 10 s; runs in CI.
 */
const log = createLogger("identity-register-client-test");
const redisNode = (name: string, extra: string[], ready: string) => ({
  name,
  image: identityServerImage.image,
  command: ["redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no", ...extra],
  ports: [6379],
  ready: { kind: "exec" as const, command: ["sh", "-c", ready] },
});

describe("identity register client against Redis (integration)", () => {
  it("CAS by Lua, a replica's refusal, the primary found by ROLE, WAIT short: ok, fail and info as the client claims", async () => {
    const runId = newRunId();
    const topology = Topology.parse({
      nodes: [
        redisNode("r1", [], "redis-cli ping | grep -q PONG"),
        { ...redisNode("r2", ["--replicaof", "r1", "6379"], "redis-cli info replication | grep -q master_link_status:up"), dependsOn: ["r1"] },
      ],
    });
    const started = await startTopology({ runId, topology, secrets: new RunSecrets([]), log });
    try {
      const servers = ["r1", "r2"].map((node) => ({ node, host: "127.0.0.1", port: started.hostPort(node, 6379) }));
      const ctx = (node: string, options: WorkloadClientContext["options"] = {}): WorkloadClientContext => {
        const server = servers.find((s) => s.node === node)!;
        return { host: server.host, port: server.port, node, servers, process: 0, options, timeoutMs: 3_000 };
      };

      // Bound to the replica, the process asks ROLE along the list and ends up on the primary.
      const c = await client.open(ctx("r2"));
      try {
        expect(await c.read(1)).toEqual({ type: "ok", value: null, node: "r1" });
        expect(await c.cas(1, 0, 1)).toEqual({ type: "fail", cause: "cas-mismatch" }); // empty register: no match
        expect(await c.write(1, 1)).toEqual({ type: "ok", value: null, node: "r1" });
        expect(await c.cas(1, 1, 2)).toEqual({ type: "ok", value: null, node: "r1" });
        expect(await c.cas(1, 1, 3)).toEqual({ type: "fail", cause: "cas-mismatch" }); // holds 2 now
        expect(await c.read(1)).toEqual({ type: "ok", value: 2, node: "r1" });
      } finally {
        await c.close();
      }

      // The replica refuses the script before running it, with an error the client reads as "nothing ran, look again".
      // Replication is asynchronous: the replica must have acknowledged the CAS before the test reads it there (CI read
      // null once when the replica was a few ms behind).
      const primary = new Redis({ host: "127.0.0.1", port: servers[0]!.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await primary.connect();
        // WAIT covers this connection's own writes; the stream is ordered, so its ack covers the CAS before it.
        await primary.set("sync-marker", "1");
        expect(await primary.call("WAIT", "1", "5000")).toBe(1);
      } finally {
        primary.disconnect();
      }
      const replica = new Redis({ host: "127.0.0.1", port: servers[1]!.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await replica.connect();
        const error = await replica.eval(CAS_SCRIPT, 1, "register:1", "2", "9").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(String(error)).toMatch(/^ReplyError: READONLY/);
        expect(outcomeOf(error, true, true)).toMatchObject({ type: "fail", cause: "readonly", reconnect: true });
        expect(await replica.get("register:1")).toBe("2"); // replicated, and untouched by the refused script
      } finally {
        replica.disconnect();
      }

      // WAIT 1: the one replica acknowledges, so ops are ok; WAIT 2 cannot be met: a write is info, a read fails.
      const one = await client.open(ctx("r1", { waitReplicas: 1, waitTimeoutMs: 500 }));
      const two = await client.open(ctx("r1", { waitReplicas: 2, waitTimeoutMs: 200 }));
      try {
        expect(await one.write(2, 1)).toEqual({ type: "ok", value: null, node: "r1" });
        expect(await one.cas(2, 1, 2)).toEqual({ type: "ok", value: null, node: "r1" });
        expect(await two.write(3, 1)).toEqual({ type: "info", cause: "wait-short", error: "WAIT 2: 1 replica(s) acknowledged in time" });
        expect(await two.read(3)).toEqual({ type: "fail", cause: "wait-short", error: "WAIT 2: 1 replica(s) acknowledged in time", reconnect: true });
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    } finally {
      await started.teardown();
    }
    expect(await leftovers(runId)).toEqual({ containers: 0, networks: 0 });
  }, 90_000);
});
