import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseAccess, hostAccessProblem, invisibleNamespaces, NETNS_ACCESS_ENV } from "../../faults/network/netns-shell.ts";
import { buildScript, hasRootQdisc, inet6Hex, mentionsAddress, parseSteps, probeRefused, probeStep, qdiscBatch, routeHex, shellQuote } from "../../faults/network/netns-script.ts";

/**
 * Runs built scripts with the machine's bash, outside any namespace: only quoting, step framing, the interface loop
 * and parsing are under test. /proc/net files are replaced by canned ones; `tc` is a stand-in on PATH that prints a
 * canned `qdisc show` and echoes its other arguments.
 */
const dir = mkdtempSync(join(tmpdir(), "havoc-netns-script-"));
const procNet = { route: join(dir, "route"), ifInet6: join(dir, "if_inet6") };
// Little-endian /proc/net/route of a node on 172.23.0.0/16 (eth1) and 10.9.0.0/24 (eth0), default route via eth0.
writeFileSync(
  procNet.route,
  [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t0100090A\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "eth0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "eth1\t000017AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
    "eth2\t0007A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
  ].join("\n") + "\n",
);
writeFileSync(procNet.ifInet6, "fd000000000000000000000000000005 e9 40 00 80     eth0\n00000000000000000000000000000001 01 80 10 80       lo\n");
// `tc -batch -`: echoes each batch line; `qdisc show` answers with a tbf qdisc on eth1 and noqueue on eth0.
writeFileSync(
  join(dir, "tc"),
  '#!/bin/bash\nwhile read -r line; do case "$line" in "qdisc show") echo "qdisc noqueue 0: dev eth0 root refcnt 2"; echo "qdisc tbf 8001: dev eth1 root refcnt 2 rate 1Mbit burst 3200b lat 50ms";; *) echo "ran: $line";; esac; done\n',
);
chmodSync(join(dir, "tc"), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(script: string): string {
  return spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin` } }).stdout;
}

describe("per-namespace fault scripts (no Docker)", () => {
  it("quotes any text, rulesets with quotes and newlines included", () => {
    const text = `table inet t {\n  chain c { iifname != "lo" drop; }\n}\nit's $HOME \`x\``;
    expect(runScript(`printf '%s' ${shellQuote(text)}`)).toBe(text);
  });

  it("frames every step with its output and exit code, feeding stdin where given", () => {
    const script = buildScript(
      [
        { id: "say", command: ["printf", "%s", "it's"] },
        { id: "stdin", command: ["cat"], stdin: "a'b\nc" },
        { id: "snippet", bash: "echo from-bash" },
      ],
      undefined,
      [{ id: "fails", command: ["sh", "-c", "echo oops >&2; exit 3"] }],
    );
    const parsed = parseSteps(runScript(script));
    expect(parsed.steps.get("say")).toEqual({ exitCode: 0, output: "it's" });
    expect(parsed.steps.get("stdin")).toEqual({ exitCode: 0, output: "a'b\nc" });
    expect(parsed.steps.get("snippet")).toEqual({ exitCode: 0, output: "from-bash" });
    expect(parsed.steps.get("fails")).toEqual({ exitCode: 3, output: "oops" });
    expect(parsed.ifaces).toEqual([]);
  });

  it("refuses duplicate or unsafe step ids", () => {
    expect(() => buildScript([{ id: "a", command: ["true"] }, { id: "a", command: ["true"] }])).toThrow(/used twice/);
    expect(() => buildScript([{ id: "a b", command: ["true"] }])).toThrow(/letters, digits/);
  });

  it("marks a step the script never finished with exit -1", () => {
    expect(parseSteps("@@step one@@\nhalf\n").steps.get("one")).toEqual({ exitCode: -1, output: "half" });
  });

  it("writes addresses the way /proc/net prints them", () => {
    expect(routeHex("172.23.0.2", "LE")).toBe("020017AC");
    expect(routeHex("172.23.0.2", "BE")).toBe("AC170002");
    expect(inet6Hex("fd00::5")).toBe("fd000000000000000000000000000005");
    expect(inet6Hex("2001:db8:0:0:1:0:0:1")).toBe("20010db8000000000001000000000001");
    expect(() => routeHex("1.2.3")).toThrow(/not an IPv4/);
    expect(() => inet6Hex("fd00::1::2")).toThrow(/not an IPv6/);
  });

  it("puts the qdisc on exactly the interfaces carrying the node's addresses, once each, then shows them", () => {
    const addresses = [
      { ip: "172.23.0.2", family: 4 as const },
      { ip: "10.9.0.5", family: 4 as const },
      { ip: "fd00::5", family: 6 as const },
    ];
    const parsed = parseSteps(runScript(buildScript([], { addresses, args: ["root", "tbf", "rate", "1000kbit"], procNet })));
    expect(parsed.ifaces).toEqual(["eth0", "eth1"]);
    const batch = parsed.steps.get("qdisc-batch")!;
    expect(batch.exitCode).toBe(0);
    expect(batch.output.split("\n").filter((l) => l.startsWith("ran: "))).toEqual(["ran: qdisc replace dev eth0 root tbf rate 1000kbit", "ran: qdisc replace dev eth1 root tbf rate 1000kbit"]);
    expect(batch.output).not.toContain("eth2");
    expect(hasRootQdisc(batch.output, "eth1", "tbf")).toBe(true);
    expect(hasRootQdisc(batch.output, "eth0", "tbf")).toBe(false);
    expect(hasRootQdisc(batch.output, "eth", "tbf")).toBe(false);
  });

  it("finds no interface when none carries the addresses (the default route does not count)", () => {
    const parsed = parseSteps(runScript(buildScript([], { addresses: [{ ip: "192.0.2.7", family: 4 }], args: ["root", "tbf"], procNet })));
    expect(parsed.ifaces).toEqual([]);
    expect(parsed.steps.has("qdisc-batch")).toBe(false);
  });

  it("builds tc batches of plain tokens only", () => {
    expect(qdiscBatch("del", ["eth0", "eth1"])).toBe("qdisc del dev eth0 root\nqdisc del dev eth1 root\nqdisc show\n");
    expect(() => qdiscBatch("replace", ["eth0"], ["root", "tbf;", "x"])).toThrow(/plain tc token/);
    expect(() => buildScript([], { addresses: [], args: ["root", "rate 1"] })).toThrow(/plain tc token/);
  });

  it("probes with bash's own /dev/udp and tells a refused datagram from a sent one", () => {
    expect(probeStep("probe", "172.18.0.3", 9)).toEqual({ id: "probe", bash: "echo havoc-probe > /dev/udp/172.18.0.3/9" });
    expect(() => probeStep("probe", "1.2.3.4; rm -rf /", 9)).toThrow(/not an IP/);
    expect(probeRefused({ exitCode: 1, output: "bash: line 1: echo: write error: Operation not permitted" })).toBe(true);
    expect(probeRefused({ exitCode: 0, output: "" })).toBe(false);
    expect(probeRefused({ exitCode: 1, output: "bash: connect: Network is unreachable" })).toBe(false);
  });

  it("finds addresses in nft's echo as whole tokens", () => {
    const echo = "add element inet havoc_x to4 { 10.1.1.12 }\nadd element inet havoc_x from4 { 10.1.1.1, 10.1.1.2 }";
    expect(mentionsAddress(echo, "10.1.1.1")).toBe(true);
    expect(mentionsAddress(echo, "10.1.1.12")).toBe(true);
    expect(mentionsAddress(echo, "10.1.1.3")).toBe(false);
    expect(mentionsAddress("add element inet t to4 { 10.1.1.12 }", "10.1.1.1")).toBe(false);
  });
});

describe("choosing how network faults enter namespaces (no Docker)", () => {
  const saved = process.env[NETNS_ACCESS_ENV];
  afterAll(() => {
    if (saved === undefined) delete process.env[NETNS_ACCESS_ENV];
    else process.env[NETNS_ACCESS_ENV] = saved;
  });

  it("takes the fault context's choice first, then HAVOC_NETNS_ACCESS, and refuses a value it does not know", async () => {
    process.env[NETNS_ACCESS_ENV] = "sidecar";
    expect(await chooseAccess()).toEqual({ access: "sidecar", why: `${NETNS_ACCESS_ENV}=sidecar` });
    expect((await chooseAccess("sidecar")).why).toMatch(/fault context/);
    process.env[NETNS_ACCESS_ENV] = "nsenter";
    await expect(chooseAccess()).rejects.toThrow(/HAVOC_NETNS_ACCESS="nsenter": expected host, sidecar or auto/);
    process.env[NETNS_ACCESS_ENV] = "auto";
    const auto = await chooseAccess();
    const problem = await hostAccessProblem();
    expect(auto.access).toBe(problem ? "sidecar" : "host");
    if (problem) expect(auto.why).toContain(problem);
  });

  it("names the nodes whose namespace files this machine cannot see", () => {
    expect(invisibleNamespaces(new Map([["a", "/proc/self/ns/net"], ["b", "/nonexistent/netns/x"], ["c", undefined]]))).toEqual(["b"]);
  });
});
