/**
 * The Node side of bench/register-k6-vs-node.ts: the register workload exactly as a `workload` traffic class runs it
 * (load/workload/run-workload.ts, the register generator, the identity client, one history line per op), `ops` ops
 * against one Redis, then exit. Its whole CPU is measured by the parent.
 *
 *   node --import tsx bench/register-clients/node-side.ts <port> <ops> <history file>
 */
import { HistoryWriter } from "../../load/workload/history-writer.ts";
import { registerDriver } from "../../load/workload/register-workload.ts";
import { runWorkload } from "../../load/workload/run-workload.ts";
import client from "../../systems/identity/clients/register.ts";
import { benchMix } from "./mix.ts";

const [port, ops, historyFile] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const writer = new HistoryWriter(historyFile);
const run = runWorkload({
  traffic: "registers",
  module: client,
  connection: { options: { waitReplicas: 0 }, timeoutMs: 3_000 },
  servers: [{ node: "r1", host: "127.0.0.1", port }],
  writer,
  driver: registerDriver({ activeKeys: benchMix.activeKeys, maxOpsPerKey: benchMix.maxOpsPerKey, readPercent: benchMix.readPercent, casPercent: benchMix.casPercent }),
  concurrency: benchMix.concurrency,
  ratePerSecond: benchMix.ratePerSecond,
  durationMs: 600_000,
  maxOps: ops,
  timeoutMs: 3_000,
  originEpochMs: Date.now(),
});
const result = await run.done;
writer.close();
// run-workload checks maxOps before each process's wait for its slot, so up to concurrency - 1 more may start: the
// parent counts the history's lines.
if (result.ops < ops) throw new Error(`node side: ran ${result.ops} ops, asked ${ops}`);
console.log(JSON.stringify(result));
