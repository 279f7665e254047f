import { describe, expect, it } from "vitest";
import * as galera from "../../systems/galera/clients/list-append.ts";
import * as redis from "../../systems/identity/clients/list-append.ts";
import type { ListAppendMop } from "../../core/workload-op.ts";

/**
 * The pure parts of the MariaDB (galera) and Redis (identity) list-append clients: how a driver's error becomes ok /
 * fail / info, and how an answer becomes the micro-ops with their reads. The clients against real servers run in
 * test/integration/list-append-failover.test.ts.
 */

/** A server error as mysql2 raises it. */
const mysqlError = (errno: number, message: string, fatal = false) => Object.assign(new Error(message), { errno, sqlState: "HY000", code: "ER_X", fatal });
/** A connection error as mysql2 raises it (no errno / sqlState). */
const lost = () => Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true });

describe("galera list-append client: outcomes", () => {
  it("a deadlock or certification conflict (1213), lock wait timeout (1205) or non-primary node (1047) is a definite failure, even answering COMMIT", () => {
    for (const errno of [1213, 1205, 1020, 1047]) {
      expect(galera.outcomeOf(mysqlError(errno, "x"), true, true).type).toBe("fail");
      expect(galera.outcomeOf(mysqlError(errno, "x"), false, true).type).toBe("fail");
    }
    expect(galera.outcomeOf(mysqlError(1213, "Deadlock found"), true, true)).toEqual({ type: "fail", cause: "1213", error: "Deadlock found" });
    // A node outside the primary component: the connection is worth no more.
    expect(galera.outcomeOf(mysqlError(1047, "WSREP has not yet prepared node"), false, true)).toMatchObject({ type: "fail", cause: "1047", reconnect: true });
  });

  it("a broken connection while COMMIT was in flight is unknown (info); before COMMIT it is a failure that reconnects", () => {
    expect(galera.outcomeOf(lost(), true, true)).toMatchObject({ type: "info", cause: "protocol_connection_lost" });
    expect(galera.outcomeOf(lost(), false, true)).toMatchObject({ type: "fail", cause: "protocol_connection_lost", reconnect: true });
  });

  it("1180 answering COMMIT (a Galera node lost the primary component while replicating) is unknown: other nodes may have it", () => {
    expect(galera.outcomeOf(mysqlError(1180, "Got error 6 during COMMIT"), true, true)).toMatchObject({ type: "info", cause: "1180" });
  });

  it("a read-only transaction fails whatever the error: it changed nothing", () => {
    expect(galera.outcomeOf(lost(), true, false).type).toBe("fail");
    expect(galera.outcomeOf(mysqlError(1180, "x"), true, false).type).toBe("fail");
  });

  it("parses lists and validates options, naming what was expected", () => {
    expect(galera.parseList("1,2,30")).toEqual([1, 2, 30]);
    expect(galera.parseList(undefined)).toEqual([]);
    expect(galera.parseList("")).toEqual([]);
    expect(galera.optionsOf({})).toMatchObject({ isolation: "repeatable-read", mode: "atomic", table: "list_append", lockWaitTimeoutS: 2, snapshotIsolation: false });
    expect(() => galera.optionsOf({ snapshotIsolation: "yes" })).toThrow(/snapshotIsolation must be true or false, got "yes"/);
    expect(() => galera.optionsOf({ isolation: "snapshot" })).toThrow(/isolation must be one of read-committed, repeatable-read, serializable, got "snapshot"/);
    expect(() => galera.optionsOf({ mode: "blind" })).toThrow(/mode must be "atomic" or "read-then-write"/);
    expect(() => galera.optionsOf({ table: "x; DROP" })).toThrow(/bad table name/);
  });
});

const replyError = (message: string) => Object.assign(new Error(message), { name: "ReplyError" });

describe("identity (Redis) list-append client: EXEC answers", () => {
  const mops: ListAppendMop[] = [
    ["r", 1, null],
    ["append", 1, 7],
    ["r", 1, null],
  ];

  it("fills each read from its LRANGE answer, in order; appends pass through", () => {
    expect(redis.completeMops(mops, [[null, ["3", "5"]], [null, 3], [null, ["3", "5", "7"]]])).toEqual([
      ["r", 1, [3, 5]],
      ["append", 1, 7],
      ["r", 1, [3, 5, 7]],
    ]);
  });

  it("a command that failed inside EXEC (the others ran) is a PartialExecError; a wrong-shaped answer is an error", () => {
    expect(() => redis.completeMops(mops, [[null, []], [new Error("WRONGTYPE"), null], [null, []]])).toThrow(redis.PartialExecError);
    expect(() => redis.completeMops(mops, [[null, []]])).toThrow(/1 results for 3 commands/);
    expect(() => redis.completeMops(mops, [[null, 4], [null, 1], [null, []]])).toThrow(/LRANGE of key 1 answered 4/);
    expect(() => redis.completeMops(mops, null)).toThrow(/null/);
  });
});

describe("identity (Redis) list-append client: outcomes", () => {
  it("nothing sent: a failure that reconnects", () => {
    expect(redis.outcomeOf(new Error("Stream isn't writeable"), false, true)).toMatchObject({ type: "fail", cause: "not-connected", reconnect: true });
  });

  it("EXECABORT / READONLY (a replica refused the queued commands): nothing ran, reconnect to find the primary", () => {
    expect(redis.outcomeOf(replyError("EXECABORT Transaction discarded because of previous errors."), true, true)).toMatchObject({ type: "fail", cause: "execabort", reconnect: true });
    expect(redis.outcomeOf(replyError("READONLY You can't write against a read only replica."), true, true)).toMatchObject({ type: "fail", cause: "readonly", reconnect: true });
  });

  it("a timeout or a closed connection after EXEC was sent: info if it appended, fail if it only read", () => {
    expect(redis.outcomeOf(new Error("Command timed out"), true, true)).toMatchObject({ type: "info", cause: "timeout" });
    expect(redis.outcomeOf(new Error("Connection is closed."), true, true)).toMatchObject({ type: "info", cause: "connection" });
    expect(redis.outcomeOf(new Error("Connection is closed."), true, false)).toMatchObject({ type: "fail", reconnect: true });
    expect(redis.outcomeOf(new redis.PartialExecError("command 2 of 3 failed"), true, true)).toMatchObject({ type: "info", cause: "partial-exec" });
  });

  it("WAIT: ok only with enough replicas; short, info for appends (on the primary only) and fail for reads", () => {
    const appended: ListAppendMop[] = [["append", 1, 7]];
    const read: ListAppendMop[] = [["r", 1, [7]]];
    expect(redis.afterWait(appended, 1, 1, "id-2")).toEqual({ type: "ok", value: appended, node: "id-2" });
    expect(redis.afterWait(appended, 2, 1, "id-2").type).toBe("ok");
    expect(redis.afterWait(appended, 0, 1, "id-1")).toMatchObject({ type: "info", cause: "wait-short", error: "WAIT 1: 0 replica(s) acknowledged in time" });
    expect(redis.afterWait(read, 0, 1, "id-1")).toMatchObject({ type: "fail", cause: "wait-short", reconnect: true });
  });

  it("asks servers from the one its slot is bound to, then around the list", () => {
    const servers = ["id-1", "id-2", "id-3"].map((node, i) => ({ node, host: "127.0.0.1", port: 6000 + i }));
    expect(redis.askOrder(servers, "id-2").map((s) => s.node)).toEqual(["id-2", "id-3", "id-1"]);
    expect(redis.askOrder(servers, "id-1").map((s) => s.node)).toEqual(["id-1", "id-2", "id-3"]);
  });

  it("validates options", () => {
    expect(redis.optionsOf({})).toEqual({ waitReplicas: 0, waitTimeoutMs: 500, keyPrefix: "list-append:" });
    expect(() => redis.optionsOf({ waitReplicas: -1 })).toThrow(/waitReplicas must be a non-negative integer, got -1/);
    expect(() => redis.optionsOf({ waitTimeoutMs: 0 })).toThrow(/waitTimeoutMs must be a positive integer/);
  });
});

describe("list-append traffic helpers", () => {
  it("galera: processes spread over the three nodes' MySQL ports; the topology without trackr's apps", async () => {
    const { WorkloadClass } = await import("../../load/traffic/workload.ts");
    const { galeraListAppend } = await import("../../systems/galera/traffic.ts");
    const { galeraTopology } = await import("../../systems/galera/topology.ts");
    const c = WorkloadClass.parse(galeraListAppend({ isolation: "repeatable-read", mode: "atomic", durationS: 20, snapshotIsolation: true }));
    expect(c.servers).toEqual([
      { node: "galera-1", port: 3306 },
      { node: "galera-2", port: 3306 },
      { node: "galera-3", port: 3306 },
    ]);
    expect(c.clientOptions).toMatchObject({ isolation: "repeatable-read", mode: "atomic", snapshotIsolation: true, password: "${secret:db-password}" });
    const names = (o: Parameters<typeof galeraTopology>[0]) => galeraTopology(o).nodes.map((n) => n.name);
    expect(names({ apps: false })).toEqual(["galera-1", "galera-2", "galera-3", "router"]);
    expect(names({})).toEqual(expect.arrayContaining(["app-1", "app-2", "app-3", "lb"]));
  });

  it("identity: every server's Redis in the list, WAIT passed to the client", async () => {
    const { WorkloadClass } = await import("../../load/traffic/workload.ts");
    const { identityListAppend } = await import("../../systems/identity/traffic.ts");
    const c = WorkloadClass.parse(identityListAppend({ durationS: 20, waitReplicas: 1 }));
    expect(c.servers?.map((s) => `${s.node}:${s.port}`)).toEqual(["id-1:6379", "id-2:6379", "id-3:6379"]);
    expect(c.clientOptions).toEqual({ waitReplicas: 1, waitTimeoutMs: 500 });
  });
});
