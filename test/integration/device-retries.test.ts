/**
 * Firmware retries of trackr's device fleet (systems/trackr/k6/device-fleet.ts), with real k6 against a stand-in server on 127.0.0.1 that answers
 * 503 to the first attempt of every reading, 201 to the second; and a 429 (never retried).
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { OpRecord } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import { k6Path } from "../../env/bootstrap/go-tools.ts";
import { bundleK6Script } from "../../load/k6-bundle.ts";
import { K6Class, k6Launches } from "../../load/traffic/k6.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { startK6 } from "../../load/k6-process.ts";

const k6Missing = !existsSync(k6Path());

describe.skipIf(k6Missing)("device fleet firmware retries (integration)", () => {
  it("retries a 503 with backoff under the same id, and does not retry a 429", async () => {
    const attempts = new Map<string, number>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const { reading_id: id, device_id: device } = JSON.parse(Buffer.concat(chunks).toString()) as { reading_id: string; device_id: string };
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        if (device === "dev-1") return void res.writeHead(429).end();
        res.writeHead(n === 1 ? 503 : 201).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const c = K6Class.parse(deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 20, duration: "3s", devices: 4, retries: { attempts: 3, baseDelay: "300ms" } }));
      const runDir = await mkdtemp(join(tmpdir(), "havoc-retry-"));
      const bundledScriptPath = await bundleK6Script(c.file, runDir, c.name);
      const [launch] = k6Launches(c, { urls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`], keySecret: "x", runId: "r", bundledScriptPath });
      const ops: OpRecord[] = [];
      const handle = startK6({ k6Path: k6Path(), scriptPath: launch!.scriptPath, runDir, traffic: "devices", env: launch!.env, durationMs: launch!.durationMs, gracefulStopMs: launch!.gracefulStopMs, onOp: (op) => ops.push(op), onLog: () => undefined, logger: createLogger("retry-test", () => undefined) });
      const result = await handle.done;
      expect(result.exitCode).toBe(0);
      const byId = new Map<string, OpRecord[]>();
      for (const op of ops) byId.set(op.id!, [...(byId.get(op.id!) ?? []), op]);
      expect(byId.size).toBeGreaterThanOrEqual(55);
      for (const [, tries] of byId) {
        tries.sort((a, b) => a.startEpochMs - b.startEpochMs);
        if (tries[0]!.cause === "http_429") {
          expect(tries).toHaveLength(1); // a 429 is not retried
          continue;
        }
        expect(tries.map((t) => t.cause)).toEqual(["http_503", "http_201"]);
        // Equal jitter: the first delay is between half the base delay and the base delay.
        const gap = tries[1]!.startEpochMs - (tries[0]!.startEpochMs + tries[0]!.durationMs);
        expect(gap).toBeGreaterThanOrEqual(140);
        expect(gap).toBeLessThan(600);
      }
      expect(result.httpReqs).toBe(ops.length);
    } finally {
      server.close();
    }
  });
});
