/**
 * The benches `npm run bench` runs, in order, and the README table's sections. A bench writes
 * bench/results/<name>.json (bench/lib/results.ts); render-readme.ts turns every such file into rows. Benches marked
 * `pending` have no script yet: their section shows what is to come, and fills in as soon as their result file exists.
 */
export interface BenchSuite {
  /** File name under bench/ without .ts, and of its result file under bench/results/. */
  name: string;
  title: string;
  /** Arguments `npm run bench` passes (the defaults the README figures come from). */
  args: string[];
  /** Not written yet: who adds it and why it waits. */
  pending?: string;
}

export const suites: BenchSuite[] = [
  { name: "fault-latency", title: "Fault injection and heal latency, call to verified effect, against the mechanism by hand", args: ["20", "all"] },
  { name: "fault-latency-remote", title: "Fault latency on a node of another host against the same fault on a node here", args: ["10", "all"] },
  {
    name: "outage-accuracy",
    title: "Accuracy: ground-truth outages against the outage the report gives",
    args: ["5"],
  },
  { name: "topology-start", title: "Topology start and teardown: trackr under havoc against plain docker commands", args: ["5"] },
  { name: "k6-throughput", title: "Harness overhead: the same k6 script through the harness against bare `k6 run`", args: ["5", "10"] },
  { name: "k6-op-records", title: "Op records: JSON or TSV lines on a pipe or a console file, or k6's own outputs, against bare k6", args: ["5", "10"] },
  { name: "k6-vs-wrk", title: "The load generator's own limit: bare k6 against Debian's wrk on the same endpoint", args: ["5", "10"] },
  { name: "k6-generators", title: "Load from several machines: k6 with 1 and 2 generators, rate asked against rate reached per generator", args: ["3", "600", "20"] },
  { name: "result-processing", title: "Result processing: 1,000,000 op lines through the timeline and ledger", args: ["5", "1000000"] },
  { name: "register-k6-vs-node", title: "Register workload against Redis: k6's Redis module against the harness's Node runner, CPU per 1,000 ops", args: ["5", "1000", "6000"] },
  { name: "consistency-checker", title: "Consistency checker: list-append histories of 10k, 50k and 100k ops, clean, with planted anomalies and full of lost updates", args: ["3"] },
  { name: "linearizable-checker", title: "Linearizability checker: Porcupine's search per key and the whole check on clean register histories", args: ["3"] },
  { name: "bootstrap-cold", title: "Cold bootstrap of the Go tools and apt, one step after another against at once", args: ["1"] },
  {
    name: "nightly-suite",
    title: "The nightly suite's wall time on this 2-core machine",
    args: [],
  },
];
