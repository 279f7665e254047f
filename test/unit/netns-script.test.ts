import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildScript, counterOf, parseSteps, probeRefused, probeStep, shellQuote } from "../../faults/network/netns-script.ts";

/** Runs a built script with the machine's sh, outside any namespace: only quoting, step framing and parsing are under test. */
function runScript(script: string): string {
  return spawnSync("sh", ["-c", script], { encoding: "utf8" }).stdout;
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
      ],
      undefined,
      [{ id: "fails", command: ["sh", "-c", "echo oops >&2; exit 3"] }],
    );
    const parsed = parseSteps(runScript(script));
    expect(parsed.steps.get("say")).toEqual({ exitCode: 0, output: "it's" });
    expect(parsed.steps.get("stdin")).toEqual({ exitCode: 0, output: "a'b\nc" });
    expect(parsed.steps.get("fails")).toEqual({ exitCode: 3, output: "oops" });
    expect(parsed.ifaces).toEqual([]);
  });

  it("refuses duplicate or unsafe step ids", () => {
    expect(() => buildScript([{ id: "a", command: ["true"] }, { id: "a", command: ["true"] }])).toThrow(/used twice/);
    expect(() => buildScript([{ id: "a b", command: ["true"] }])).toThrow(/letters, digits/);
  });

  it("marks a step the script never finished with exit -1", () => {
    const parsed = parseSteps("@@step one@@\nhalf\n");
    expect(parsed.steps.get("one")).toEqual({ exitCode: -1, output: "half" });
  });

  it("reads the qdisc loop's interfaces", () => {
    const parsed = parseSteps("@@ifaces  eth0 eth2@@\n@@step qdisc-eth0@@\n\n@@exit 0@@\n");
    expect(parsed.ifaces).toEqual(["eth0", "eth2"]);
    expect(parsed.steps.get("qdisc-eth0")).toEqual({ exitCode: 0, output: "" });
  });

  it("tells a refused probe datagram from a sent one, and reads the drop rule's counter", () => {
    expect(probeStep("172.18.0.3", 9).command).toEqual(["bash", "-c", 'echo havoc-probe > "/dev/udp/$1/$2"', "bash", "172.18.0.3", "9"]);
    expect(probeRefused({ exitCode: 1, output: "bash: line 1: echo: write error: Operation not permitted" })).toBe(true);
    expect(probeRefused({ exitCode: 0, output: "" })).toBe(false);
    expect(probeRefused({ exitCode: 1, output: "bash: connect: Network is unreachable" })).toBe(false);
    const listing = "chain output {\n\t\ttype filter hook output priority filter - 10; policy accept;\n\t\tip daddr @to4 counter packets 2 bytes 90 drop\n\t}";
    expect(counterOf(listing, "to4")).toBe(2);
    expect(counterOf(listing, "to6")).toBeUndefined();
  });
});
