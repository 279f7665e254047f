import { describe, expect, it } from "vitest";
import { FaultSpec } from "../../faults/registry.ts";
import { createRng } from "../../core/rng.ts";
import { cutTableBody, lossTableBody, nftTableName, replaceTableScript } from "../../faults/network/nft-rules.ts";
import { computeGroups, groupCutPairs, isolateCutPairs } from "../../faults/network/partition-groups.ts";
import { interfacesFor } from "../../faults/network/peers.ts";
import { qdiscKindOfArgs, tbfArgs, tbfCommand } from "../../faults/network/tc-commands.ts";

describe("network fault building blocks (no Docker)", () => {
  it("builds one replaceable table per fault with the peer sets", () => {
    const table = nftTableName("cut-db.1");
    expect(table).toBe("havoc_cut_db_1");
    const body = cutTableBody({ dropFrom: { v4: ["10.0.0.2"], v6: [] }, dropTo: { v4: ["10.0.0.2", "10.0.0.3"], v6: ["fd00::2"] } });
    expect(body).toContain("set from4 { type ipv4_addr; elements = { 10.0.0.2 } }");
    expect(body).toContain("ip6 daddr @to6 counter drop");
    expect(body).not.toContain("@from6");
    expect(replaceTableScript(table, body)).toMatch(/^table inet havoc_cut_db_1 \{\}\ndelete table inet havoc_cut_db_1\ntable inet havoc_cut_db_1 \{/);
  });

  it("loss rules never touch loopback and scale percent to 1/10000", () => {
    const body = lossTableBody({ percent: 30, ingress: false, egress: true });
    expect(body).toContain('oifname != "lo" numgen random mod 10000 < 3000 drop');
    expect(body).not.toContain("iifname");
  });

  it("finds interfaces by address, whatever their name", () => {
    const out = "1: lo    inet 127.0.0.1/8 scope host lo\n231: eth1    inet 172.23.0.2/16 brd 172.23.255.255 scope global eth1\n";
    expect(interfacesFor(out, ["172.23.0.2"])).toEqual(["eth1"]);
    expect(tbfCommand("eth1", 1000)).toEqual(["tc", "qdisc", "replace", "dev", "eth1", "root", "tbf", "rate", "1000kbit", "burst", "3200", "latency", "50ms"]);
    expect(qdiscKindOfArgs(tbfArgs(1000))).toBe("tbf");
  });

  it("computes seeded groups and their cut pairs", () => {
    const nodes = ["a", "b", "c", "d", "e"];
    expect(computeGroups("halves", nodes, createRng(7))).toEqual(computeGroups("halves", nodes, createRng(7)));
    const halves = computeGroups("halves", nodes, createRng(7));
    expect(halves.groups.map((g) => g.length)).toEqual([2, 3]);
    const bridge = computeGroups("bridge", nodes, createRng(7));
    expect([...bridge.groups.flat(), ...bridge.bridges].sort()).toEqual(nodes);
    expect(bridge.bridges).toHaveLength(1);
    expect(computeGroups("minority-majority", ["a", "b", "c", "d"], createRng(1)).groups.map((g) => g.length)).toEqual([1, 3]);
    expect(groupCutPairs([["a"], ["b", "c"]], "one-way")).toEqual([{ from: "a", to: "b" }, { from: "a", to: "c" }]);
    expect(isolateCutPairs(["a"], ["a", "b"])).toEqual([{ from: "a", to: "b" }, { from: "b", to: "a" }]);
  });

  it("parses network fault specs with their defaults", () => {
    const partition = FaultSpec.parse({ kind: "partition", at: "10s" });
    expect(partition).toMatchObject({ kind: "partition", at: 10_000, target: { mode: "all" }, groups: { mode: "halves" }, direction: "both" });
    expect(FaultSpec.parse({ kind: "packet-loss", at: "0s", target: { names: ["db"] }, percent: 30 })).toMatchObject({ direction: "both" });
    expect(() => FaultSpec.parse({ kind: "partition", at: "0s", groups: [["a", "b"], ["b"]] })).toThrow(/more than one group/);
    expect(() => FaultSpec.parse({ kind: "packet-loss", at: "0s", target: { mode: "one" }, percent: 130 })).toThrow();
    expect(FaultSpec.parse({ kind: "latency", at: "0s", target: { mode: "one" }, delayMs: 50 })).toMatchObject({ jitterMs: 0 });
  });
});
