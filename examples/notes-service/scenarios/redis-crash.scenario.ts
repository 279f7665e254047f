import { defineScenario, fromCompose, httpReadback, k6Traffic, kill } from "havoc";

/**
 * The notes team's claim: Redis fsyncs every note before the service says 201, so SIGKILLing Redis under load
 * loses no acknowledged note; writes fail while it is down and come back within seconds of its restart.
 */
export default defineScenario({
  name: "notes-redis-crash",
  description: "SIGKILL Redis for 5 s while people save notes; nothing acknowledged may be lost",
  topology: fromCompose("../compose.yaml", {
    nodes: { notes: { role: "app" }, redis: { role: "db" } },
  }),
  traffic: [
    k6Traffic({ name: "writers", file: "../load/writers.k6.ts", target: { node: "notes", port: 8080 }, duration: "30s", env: { NOTES_PER_SECOND: "20" } }),
  ],
  faults: [kill({ role: "db" }, { id: "kill-redis", at: "10s", for: "5s" })],
  readback: [httpReadback({ traffic: "writers", node: "notes", port: 8080, path: "/notes/ids" })],
  slos: [
    { id: "no-acknowledged-note-lost", kind: "lost-writes", traffic: "writers", atMost: 0 },
    // A write already in flight when Redis dies ends 503, and its start can fall in the last second before the kill.
    { id: "writes-before-crash", kind: "availability", traffic: "writers", window: { kind: "fault", fault: "kill-redis", phase: "before" }, atLeastPercent: 95 },
    { id: "writes-back-after-restart", kind: "recovery-time", traffic: "writers", fault: "kill-redis", from: "heal", atMost: "10s" },
  ],
});
