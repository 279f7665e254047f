import { describe, expect, it } from "vitest";
import { WorkloadClass } from "../../load/traffic/workload.ts";
import { contendedListAppendMix } from "../../systems/shared/list-append-mix.ts";
import { Scenario } from "../../scenario/scenario.ts";
import bankProviderCut from "../../scenarios/galera/bank-provider-cut.ts";
import registerProviderCut from "../../scenarios/galera/register-provider-cut.ts";
import registerProviderCutSyncWait from "../../scenarios/galera/register-provider-cut-sync-wait.ts";
import bankProviderCutRtw from "../../scenarios/galera/bank-provider-cut-read-then-write.ts";
import * as mysqlCommon from "../../systems/galera/clients/mysql-common.ts";
import { galeraBank, galeraListAppend, galeraRegister } from "../../systems/galera/traffic.ts";
import { memberName } from "../../systems/pgha/clients/pg-common.ts";
import { pghaListAppend } from "../../systems/pgha/traffic.ts";

/**
 * The pure parts of the SQL workload clients (galera's register and bank, pgha's node record) and of the classes
 * the systems build for them. The clients against real servers run in test/integration/galera-register-bank.test.ts
 * and test/integration/pgha-register-failover.test.ts (nightly).
 */
describe("galera client options (mysql-common.ts)", () => {
  it("names the client and what was expected; each client its own default table", () => {
    expect(mysqlCommon.optionsOf({}, "register", "registers")).toMatchObject({ isolation: "repeatable-read", mode: "atomic", table: "registers", lockWaitTimeoutS: 2, snapshotIsolation: false });
    expect(mysqlCommon.optionsOf({ isolation: "serializable", mode: "read-then-write" }, "bank", "accounts")).toMatchObject({ isolation: "serializable", mode: "read-then-write", table: "accounts" });
    expect(() => mysqlCommon.optionsOf({ isolation: "snapshot" }, "bank", "accounts")).toThrow(/^galera bank client: isolation must be one of read-committed, repeatable-read, serializable, got "snapshot"$/);
    expect(() => mysqlCommon.optionsOf({ mode: "blind" }, "register", "registers")).toThrow(/^galera register client: mode must be "atomic" or "read-then-write", got "blind"$/);
    expect(() => mysqlCommon.optionsOf({ lockWaitTimeoutS: 0 }, "register", "registers")).toThrow(/lockWaitTimeoutS must be a positive integer, got 0/);
    expect(mysqlCommon.optionsOf({ wsrepSyncWait: 1 }, "register", "registers").wsrepSyncWait).toBe(1);
    expect(() => mysqlCommon.optionsOf({ wsrepSyncWait: 16 }, "register", "registers")).toThrow(/^galera register client: wsrepSyncWait must be an integer from 0 to 15, got 16$/);
  });

  it("an UPDATE's matched rows come from mysql2's affectedRows (0 when absent)", () => {
    expect(mysqlCommon.matchedRows({ affectedRows: 1 })).toBe(1);
    expect(mysqlCommon.matchedRows({})).toBe(0);
  });

  it("a read that lost its connection at COMMIT is a failure (it changed nothing); a write is unknown", () => {
    const lost = Object.assign(new Error("Connection lost"), { code: "PROTOCOL_CONNECTION_LOST", fatal: true });
    expect(mysqlCommon.outcomeOf(lost, true, false)).toMatchObject({ type: "fail", reconnect: true });
    expect(mysqlCommon.outcomeOf(lost, true, true)).toMatchObject({ type: "info", cause: "protocol_connection_lost" });
  });
});

describe("pgha clients: the serving node", () => {
  it("reads the member name from a Patroni config, nothing from a file without one", () => {
    expect(memberName("scope: pgha\nnamespace: /havoc/\nname: pg-2\nlog:\n  level: INFO\n")).toBe("pg-2");
    // Only the top-level key: an indented `name:` (a nested section) is not the member.
    expect(memberName("scope: pgha\nlog:\n  name: x\n")).toBeUndefined();
    expect(memberName("")).toBeUndefined();
  });
});

describe("galera register and bank classes", () => {
  it("processes spread over the three nodes, kind-specific fields as pgha's", () => {
    const reg = WorkloadClass.parse(galeraRegister({ isolation: "repeatable-read", mode: "read-then-write", durationS: 20 }));
    expect(reg).toMatchObject({ name: "registers", workload: "register", activeKeys: 3, maxOpsPerKey: 150, readPercent: 40, casPercent: 40, gate: false });
    expect(reg.servers?.map((s) => s.node)).toEqual(["galera-1", "galera-2", "galera-3"]);
    expect(reg.client).toMatch(/systems\/galera\/clients\/register\.ts$/);
    expect(reg.clientOptions).toMatchObject({ isolation: "repeatable-read", mode: "read-then-write" });
    const bank = WorkloadClass.parse(galeraBank({ isolation: "serializable", mode: "atomic", durationS: 20, nodes: ["galera-1"] }));
    expect(bank).toMatchObject({ name: "bank", workload: "bank", accounts: 5, initialBalance: 20, maxTransfer: 5 });
    expect(bank.servers).toEqual([{ node: "galera-1", port: 3306 }]);
    expect(bank.client).toMatch(/systems\/galera\/clients\/bank\.ts$/);
  });

  it("galera and pgha list-append share one transaction mix", () => {
    for (const c of [galeraListAppend({ isolation: "repeatable-read", mode: "atomic", durationS: 10 }), pghaListAppend({ isolation: "serializable", mode: "atomic", durationS: 10 })])
      expect(WorkloadClass.parse(c)).toMatchObject(contendedListAppendMix);
  });

  it("the provider-cut scenarios are valid: writers on every node, the cut of provider B, the checker of their kind", () => {
    for (const [input, name, kind, slo] of [
      [registerProviderCut, "galera-register-provider-cut", "register", "linearizable"],
      [registerProviderCutSyncWait, "galera-register-provider-cut-sync-wait", "register", "linearizable"],
      [bankProviderCut, "galera-bank-provider-cut", "bank", "bank"],
      [bankProviderCutRtw, "galera-bank-provider-cut-read-then-write", "bank", "bank"],
    ] as const) {
      const s = Scenario.parse(input);
      expect(s.name).toBe(name);
      const t = s.traffic[0]!;
      expect(t.script === "workload" && [t.workload, t.servers?.length, t.clientOptions.isolation]).toEqual([kind, 3, "repeatable-read"]);
      expect(s.faults.map((f) => f.id)).toEqual(["cut-provider-b"]);
      expect(s.slos.map((x) => x.kind)).toEqual([slo]);
    }
    // wsrep_sync_wait reaches the client only in the variant that asks for it.
    const options = (input: unknown) => (Scenario.parse(input).traffic[0] as { clientOptions: Record<string, unknown> }).clientOptions;
    expect(options(registerProviderCutSyncWait).wsrepSyncWait).toBe(1);
    expect(options(registerProviderCut).wsrepSyncWait).toBeUndefined();
    expect(options(bankProviderCutRtw).mode).toBe("read-then-write");
  });
});

describe("workload class: target or servers", () => {
  const base = { script: "workload", name: "t", duration: "5s", client: "c.ts" };
  it("neither or both is refused at target; a server twice at servers", () => {
    expect(WorkloadClass.safeParse(base).error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["target", "give a target or a list of servers (one of the two)"]]);
    const both = WorkloadClass.safeParse({ ...base, target: { node: "db", port: 1 }, servers: [{ node: "db", port: 1 }] });
    expect(both.error!.issues.map((i) => i.path.join("."))).toEqual(["target"]);
    const twice = WorkloadClass.safeParse({ ...base, servers: [{ node: "db", port: 1 }, { node: "db", port: 1 }] });
    expect(twice.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["servers", "a server is listed twice"]]);
  });
});
