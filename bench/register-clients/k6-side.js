// The k6 side of bench/register-k6-vs-node.ts: the same register workload in k6 with its Redis module, one JSON
// line per op to k6's console output (the way havoc's k6 scripts hand over op records), `OPS` ops over `VUS` VUs.
// Each VU keeps its own keys and the values it last saw (VUs share no memory), with the Node side's mix.
import { Client } from "k6/experimental/redis";
import exec from "k6/execution";

const ops = Number(__ENV.OPS);
const vus = Number(__ENV.VUS);
const mix = JSON.parse(__ENV.MIX);
export const options = {
  scenarios: { registers: { executor: "shared-iterations", vus, iterations: ops, maxDuration: "10m" } },
  summaryTrendStats: ["med"],
};

const redis = new Client(`redis://127.0.0.1:${__ENV.PORT}`);
const CAS = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";
/** Per VU: active keys, and per key ops done, last value handed out, last value seen. */
const active = [];
const keys = new Map();
let nextKey = 0;
const addKey = () => {
  const key = `${exec.vu.idInTest}-${nextKey++}`;
  keys.set(key, { ops: 0, last: 0, seen: undefined });
  return key;
};

export default async function () {
  if (active.length === 0) for (let i = 0; i < mix.activeKeys; i++) active.push(addKey());
  const slot = Math.floor(Math.random() * active.length);
  const key = active[slot];
  const state = keys.get(key);
  if (++state.ops >= mix.maxOpsPerKey) active[slot] = addKey();
  const roll = Math.random() * 100;
  const invokeMs = Date.now();
  const name = `register:${key}`;
  let f, value, type;
  try {
    if (roll < mix.readPercent) {
      f = "read";
      const got = await redis.get(name).catch((e) => (String(e).includes("nil") ? null : Promise.reject(e)));
      value = { key, value: got === null ? null : Number(got) };
      if (got !== null) state.seen = Number(got);
      type = "ok";
    } else {
      const next = ++state.last;
      if (roll < mix.readPercent + mix.casPercent && state.seen !== undefined) {
        f = "cas";
        value = { key, from: state.seen, to: next };
        const swapped = await redis.sendCommand("EVAL", CAS, 1, name, String(state.seen), String(next));
        type = swapped === 1 ? "ok" : "fail";
        if (type === "ok") state.seen = next;
      } else {
        f = "write";
        value = { key, value: next };
        await redis.set(name, String(next), 0);
        state.seen = next;
        type = "ok";
      }
    }
  } catch (e) {
    type = "info";
  }
  console.log(JSON.stringify({ process: exec.vu.idInTest, f, type, invokeMs, completeMs: Date.now(), value }));
}
