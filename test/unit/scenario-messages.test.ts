import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editDistance, nearest } from "../../core/did-you-mean.ts";
import { InputError } from "../../core/errors.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import { loadScenarioFile, parseScenario } from "../../scenario/load-scenario.ts";
import { makePlan } from "../../scenario/plan.ts";
import demo from "../../scenarios/trackr/app-node-crash.ts";
import replicaLag from "../../scenarios/trackr/replica-lag-stale-reads.ts";
import zoneSplit from "../../scenarios/twozone/zone-split.ts";

const file = "scenarios/test.ts";

/** The lines of the refusal (each `  at <path>: <message>`), failing the test when the scenario is accepted. */
function problems(data: unknown): string[] {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const [head, ...lines] = (error as Error).message.split("\n");
    expect(head).toBe(`${file}: invalid scenario`);
    return lines.map((line) => line.replace(/^ {2}at /, ""));
  }
  throw new Error("scenario was accepted");
}

/** The demo (trackr: db, app-1..3, lb; one device class of 60 s; kill-app at 20 s for 20 s), changed by `change`. */
function demoWith(change: (s: ScenarioInput & Record<string, unknown>) => void): unknown {
  const s = structuredClone(demo) as ScenarioInput & Record<string, unknown>;
  change(s);
  return s;
}

const sloKinds = "availability, lost-writes, longest-outage, recovery-time, latency, stale-reads, dropped-iterations, convergence, consistency, linearizable, bank, recovery-point";

describe("the three typos of issue 11", () => {
  it("a misspelt SLO kind lists the valid kinds and the one meant", () => {
    expect(problems(demoWith((s) => ((s.slos[0] as { kind: string }).kind = "availabilty")))).toEqual([
      `slos[0].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: ${sloKinds}`,
    ]);
  });

  it("a misspelt key names the nearest known key", () => {
    const bad = demoWith((s) => {
      const slo = s.slos[0] as Record<string, unknown>;
      slo.atLeastPercnt = slo.atLeastPercent;
      delete slo.atLeastPercent;
    });
    // atLeastPercent is missing only because of the typo: the unknown key's line says so, alone.
    expect(problems(bad)).toEqual(['slos[0]: unknown key "atLeastPercnt"; did you mean "atLeastPercent"?']);
  });

  it("a misspelt enum value (a selector mode) lists the valid values and the one meant", () => {
    expect(problems(demoWith((s) => ((s.faults![0]!.target as { mode: string }).mode = "majorty")))).toEqual([
      'faults[0].target.mode: unknown mode "majorty"; did you mean "majority"? expected one of: one, all, minority, majority, percent, primary',
    ]);
  });

  it("the example lines of docs/running.md are what a run prints", () => {
    const lines = problems(
      demoWith((s) => {
        s.faults = [{ id: "kill-app", kind: "partition", target: { names: ["app-2", "db"], mode: "one" }, at: "20s", for: "20s" }];
        (s.slos[0] as { kind: string }).kind = "availabilty";
        (s.slos[1] as Record<string, unknown>).atMots = 0;
      }),
    );
    expect(lines).toEqual([
      'faults[0].target: partition halves needs at least 2 nodes to split, but its target resolves to 1 node: one of [db, app-2] (mode "one"); give mode "all"',
      `slos[0].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: ${sloKinds}`,
      'slos[1]: unknown key "atMots"; did you mean "atMost"?',
    ]);
  });
});

describe("every problem of a file at once", () => {
  it("reports a shape error together with the cross-reference errors the other parts have (issue 11's file)", () => {
    const bad = demoWith((s) => {
      (s.slos[0] as { kind: string }).kind = "availabilty";
      s.faults![0]!.target = { role: "ap" };
      s.faults![0]!.for = "50s";
    });
    expect(problems(bad)).toEqual([
      'faults[0].target: selector matches no node: no node has role "ap" (did you mean "app"?) (roles: db, app, lb)',
      "faults[0].for: the fault heals at 1m10s (at 20s + for 50s), after the end of traffic (1m) minus the fault-free tail (5s): give for at most 35s, inject earlier, or make the traffic longer",
      `slos[0].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: ${sloKinds}`,
    ]);
  });

  it("reads an element with a misspelt kind as the kind meant, to show its other typos in the same run", () => {
    const bad = demoWith((s) => {
      const slo = s.slos[0] as Record<string, unknown>;
      slo.kind = "availabilty";
      slo.atLeastPercnt = slo.atLeastPercent;
      delete slo.atLeastPercent;
      slo.window = { kind: "fault", fault: "kill-app", phase: "durring" };
    });
    expect(problems(bad)).toEqual([
      `slos[0].kind: unknown kind "availabilty"; did you mean "availability"? expected one of: ${sloKinds}`,
      'slos[0].window.phase: unknown phase "durring"; did you mean "during"? expected one of: before, during, after (reading kind as "availability")',
      'slos[0]: unknown key "atLeastPercnt"; did you mean "atLeastPercent"? (reading kind as "availability")',
    ]);
  });

  it("checks references against a topology whose node has a typo, and a traffic class with a wrong type", () => {
    const bad = demoWith((s) => {
      (s.topology.nodes[0] as Record<string, unknown>).imag = "x";
      (s.traffic[0] as { target: { node: string } }).target.node = "lbb";
      (s.traffic[0] as Record<string, unknown>).processes = "fast";
      s.faults![0]!.target = { names: ["app-9"] };
      s.slos[0]!.traffic = "device";
    });
    expect(problems(bad)).toEqual([
      'topology.nodes[0]: unknown key "imag"; did you mean "image"?',
      'traffic[0].processes: expected a number, got "fast"',
      'traffic[0].target.node: unknown node "lbb"; did you mean "lb"? nodes: app-1, app-2, app-3, lb, db',
      'faults[0].target.names[0]: unknown node "app-9"; nodes: app-1, app-2, app-3, lb, db',
      'slos[0].traffic: unknown traffic class "device"; did you mean "devices"? traffic classes: devices',
    ]);
  });

  it("does not call a reference unknown when what it names is in an element that did not parse", () => {
    // The fault did not parse, but its id is readable: the SLO that names it is not wrong.
    const named = demoWith((s) => ((s.faults![0] as Record<string, unknown>).signal = "SIGKIL"));
    expect(problems(named)).toEqual(['faults[0].signal: unknown signal "SIGKIL"; did you mean "SIGKILL"? expected one of: SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGSTOP']);
    // Nothing can be read from it: no reference into the faults can be judged.
    const unreadable = demoWith((s) => (s.faults = [5 as never]));
    expect(problems(unreadable)).toEqual(["faults[0]: expected an object, got 5"]);
  });

  it("reports a union's problems at the path of the option the value was written as", () => {
    const bad = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "partition", groups: { mode: "halfs" as never }, at: "20s", for: "20s" }]));
    expect(problems(bad)).toEqual(['faults[0].groups.mode: unknown mode "halfs"; did you mean "halves"? expected one of: halves, minority-majority, bridge']);
    const from = demoWith((s) => {
      delete (s.readback![0] as Record<string, unknown>).node;
      (s.readback![0] as Record<string, unknown>).from = { nodes: "db" };
    });
    expect(problems(from)).toEqual(['readback[0].from: expected { node } or { primaryOf }, got { nodes }; "nodes": did you mean "node"?']);
  });

  it("names the script, a top-level key and a missing kind", () => {
    expect(problems(demoWith((s) => ((s.traffic[0] as { script: string }).script = "k7")))).toEqual([
      'traffic[0].script: unknown script "k7"; did you mean "k6"? expected one of: k6, browser, workload',
    ]);
    expect(problems(demoWith((s) => (s.faultz = [])))).toEqual(['(root): unknown key "faultz"; did you mean "faults"?']);
    expect(problems(demoWith((s) => delete (s.slos[0] as Record<string, unknown>).kind))).toEqual([`slos[0].kind: missing kind; expected one of: ${sloKinds}`]);
    expect(problems(demoWith((s) => ((s.faults![0] as Record<string, unknown>).at = true)))).toEqual([
      'faults[0].at: expected a duration such as "20s", "1m30s" or "500ms"; got true',
    ]);
  });
});

describe("selectors", () => {
  it("names without a mode mean all the named nodes; a role without a mode means one of its nodes", () => {
    const s = parseScenario(
      demoWith((d) => (d.faults = [{ id: "kill-app", kind: "partition", target: { names: ["app-2", "db"] }, at: "20s", for: "20s" }])),
      file,
    );
    expect(s.faults[0]!.target.mode).toBe("all");
    for (const seed of [1, 2, 3]) expect(makePlan(s, seed).faults[0]!.targets).toEqual(["db", "app-2"]);
    expect(parseScenario(demo, file).faults[0]!.target.mode).toBe("one");
  });

  it("refuses a partition its selector cannot split, naming the nodes it resolves to", () => {
    const one = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "partition", target: { names: ["app-2", "db"], mode: "one" }, at: "20s", for: "20s" }]));
    expect(problems(one)).toEqual([
      'faults[0].target: partition halves needs at least 2 nodes to split, but its target resolves to 1 node: one of [db, app-2] (mode "one"); give mode "all"',
    ]);
    const bridge = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "partition", target: { names: ["app-1", "app-2"] }, groups: { mode: "bridge" }, at: "20s", for: "20s" }]));
    expect(problems(bridge)).toEqual([
      "faults[0].target: partition bridge needs at least 3 nodes to split, and its target names only 2, [app-1, app-2]: name at least 3, or leave target out to split every node of the topology",
    ]);
    // The target already is every node of its pool: more of it cannot help, so the message says what can.
    const oneDb = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "partition", target: { role: "db" }, at: "20s", for: "20s" }]));
    expect(problems(oneDb)).toEqual([
      'faults[0].target: partition halves needs at least 2 nodes to split, and its target\'s role "db" has only one node, [db]: leave target out to split every node of the topology, or name at least 2 nodes',
    ]);
    const groups = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "partition", groups: [["app-1", "dbb"], ["app-2"]], at: "20s", for: "20s" }]));
    expect(problems(groups)).toEqual(['faults[0].groups[0][1]: unknown node "dbb"; did you mean "db"? nodes: db, app-1, app-2, app-3, lb']);
  });

  it("refuses a zone cut that cannot split, or splits only for some seeds", () => {
    const withTarget = (target: unknown) => {
      const s = structuredClone(zoneSplit) as ScenarioInput;
      s.faults![0]!.target = target as never;
      return s;
    };
    expect(problems(withTarget({ names: ["db-a", "app-a"] }))).toEqual([
      'faults[0].target: zone-cut zone-a | zone-b needs nodes only in zone-a and nodes only in zone-b, but its target resolves to [db-a, app-a] (zone-a only: db-a, app-a; zone-b only: none): nothing to cut',
    ]);
    expect(problems(withTarget({ names: ["db-a", "db-b", "app-a"], mode: "majority" }))).toEqual([
      'faults[0].target: zone-cut zone-a | zone-b splits only for some seeds: its target resolves to 2 nodes: 2 of [db-a, db-b, app-a] (mode "majority") (zone-a only: db-a, app-a; zone-b only: db-b), which may miss a zone; give mode "all"',
    ]);
    // 4 of 6 always holds both zones (3 per zone): accepted.
    expect(() => parseScenario(withTarget({ mode: "majority" }), file)).not.toThrow();
  });

  it("names the link or zone meant, and a role a selector misspells", () => {
    const link = structuredClone(replicaLag) as ScenarioInput;
    (link.faults![0] as { link: string }).link = "db-rep";
    expect(problems(link)).toEqual(['faults[0].link: unknown link "db-rep"; did you mean "db-repl"? (links: db-repl)']);
    const zone = structuredClone(zoneSplit) as ScenarioInput;
    (zone.faults![0] as { zones: string[] }).zones = ["zone-a", "zone-bb"];
    expect(problems(zone)).toEqual(['faults[0].zones[1]: unknown zone "zone-bb"; did you mean "zone-b"? networks: wan, zone-a, zone-b']);
    expect(problems(demoWith((s) => (s.faults![0]!.target = { role: "apps" })))).toEqual([
      'faults[0].target: selector matches no node: no node has role "apps" (did you mean "app"?) (roles: db, app, lb)',
    ]);
  });

  it("refuses an isolation of every node, a strict minority of two, unknown peers, and ambiguous selectors", () => {
    const isolateAll = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "isolate", target: { mode: "all" }, at: "20s", for: "20s" }]));
    expect(problems(isolateAll)).toEqual([
      "faults[0].target: isolate cuts its targets from the other nodes, but its target resolves to [db, app-1, app-2, app-3, lb], every node of the topology: nobody is left to cut them from",
    ]);
    expect(problems(demoWith((s) => (s.faults![0]!.target = { names: ["app-1", "app-2"], mode: "minority" })))).toEqual([
      'faults[0].target.mode: a strict minority needs a pool of at least 3 nodes, and [app-1, app-2] has 2: one of them is not a minority; give mode "one"',
    ]);
    const peers = demoWith((s) => (s.faults = [{ id: "kill-app", kind: "packet-loss", target: { role: "app" }, percent: 10, peers: ["dbx"], at: "20s", for: "20s" }]));
    expect(problems(peers)).toEqual(['faults[0].peers[0]: unknown node "dbx"; did you mean "db"? nodes: db, app-1, app-2, app-3, lb']);
    expect(problems(demoWith((s) => (s.faults![0]!.target = { role: "app", percent: 50 })))).toEqual(['faults[0].target.percent: percent is used only with mode "percent"; add mode: "percent"']);
    expect(problems(demoWith((s) => (s.faults![0]!.target = { names: ["app-1"], role: "app" })))).toEqual([
      'faults[0].target.role: give names or role, not both: the pool is the names and the role would be ignored (both together only with mode "primary": the primary among the names)',
    ]);
  });
});

describe("SLOs that could only ever be unknown", () => {
  it("refuses an empty before or after window, and a window after its class's traffic", () => {
    const after = demoWith((s) => {
      delete s.faults![0]!.for;
      s.tail = "0s";
      (s.slos[0] as Record<string, unknown>).window = { kind: "fault", fault: "kill-app", phase: "after" };
    });
    expect(problems(after)).toEqual([
      'slos[0].window: the after window of fault "kill-app" is empty (1m to 1m): the fault heals at 1m, when traffic ends (tail 0s); the SLO could only be unknown',
    ]);
    const before = demoWith((s) => {
      s.faults![0]!.at = "500ms";
      (s.slos[0] as Record<string, unknown>).window = { kind: "fault", fault: "kill-app", phase: "before" };
    });
    expect(problems(before)).toEqual([
      'slos[0].window: the before window of fault "kill-app" is empty (0s to 0s): the fault is injected at 500ms, and "before" ends at the whole second before the injection; the SLO could only be unknown',
    ]);
    const late = demoWith((s) => {
      s.traffic.push({ ...s.traffic[0]!, name: "short", duration: "10s" });
      s.slos[0]!.traffic = "short";
      (s.slos[0] as Record<string, unknown>).window = { kind: "interval", from: "20s", to: "30s" };
    });
    expect(problems(late)).toEqual([
      'slos[0].window: the interval window (20s to 30s) starts after traffic "short" ends (10s): it holds none of its traffic, so the SLO could only be unknown',
    ]);
  });

  it("refuses a recovery with too little traffic after it to see a stable stretch", () => {
    const bad = demoWith((s) => {
      s.faults![0]!.at = "52s";
      s.faults![0]!.for = "1s";
      (s.slos[3] as Record<string, unknown>).stableFor = "10s";
    });
    expect(problems(bad)).toEqual([
      'slos[3].stableFor: recovery from the injection of "kill-app" (at 52s) needs 10s (stableFor) of "devices" traffic after it, which ends at 1m; the SLO could only be unknown or fail',
    ]);
    const fromHeal = demoWith((s) => Object.assign(s.slos[3]!, { from: "heal", stableFor: "21s" }));
    expect(problems(fromHeal)).toEqual([
      'slos[3].stableFor: recovery from the heal of "kill-app" (at 40s) needs 21s (stableFor) of "devices" traffic after it, which ends at 1m; the SLO could only be unknown or fail',
    ]);
  });
});

describe("valid scenarios stay valid", () => {
  const dir = join(import.meta.dirname, "../../scenarios");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  it.each(files)("scenarios/%s parses", async (f) => {
    await expect(loadScenarioFile(join(dir, f))).resolves.toBeDefined();
  });
});

describe("did you mean", () => {
  it("counts a swap of neighbours as one edit, ignores case, and offers only near words", () => {
    expect(editDistance("availabilty", "availability")).toBe(1);
    expect(editDistance("mjaority", "majority")).toBe(1);
    expect(editDistance("SIGkill", "SIGKILL")).toBe(0);
    expect(nearest("halfs", ["halves", "bridge"])).toBe("halves");
    expect(nearest("one", ["all", "majority"])).toBeUndefined();
    expect(nearest("meteor", ["kill", "stop", "pause"])).toBeUndefined();
    // Equally near two words: no guess.
    expect(nearest("zone-c", ["zone-a", "zone-b"])).toBeUndefined();
    expect(nearest("app-9", ["app-1", "app-2", "app-3"])).toBeUndefined();
  });
});
