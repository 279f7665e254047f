import { defineScenario, httpReadback, k6Traffic, kill } from "havoc";

export default defineScenario({
  name: "notes-crash",
  description: "SIGKILL the notes service for 5 s while people save notes; nothing acknowledged may be lost",
  topology: {
    nodes: [{ name: "notes", build: { context: "../app" }, role: "app", ports: [8080], ready: { kind: "http", port: 8080, path: "/health" } }],
  },
  traffic: [k6Traffic({ name: "writers", file: "../load/writers.k6.ts", target: { node: "notes", port: 8080 }, duration: "30s" })],
  faults: [kill({ role: "app" }, { id: "kill-notes", at: "10s", for: "5s" })],
  readback: [httpReadback({ traffic: "writers", node: "notes", port: 8080, path: "/notes/ids" })],
  slos: [
    { id: "nothing-lost", kind: "lost-writes", traffic: "writers", atMost: 0 },
    { id: "writes-ok-before", kind: "availability", traffic: "writers", window: { kind: "fault", fault: "kill-notes", phase: "before" }, atLeastPercent: 99 },
    { id: "back-within-10s", kind: "recovery-time", traffic: "writers", fault: "kill-notes", from: "heal", atMost: "10s" },
  ],
});
