import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { EventLog } from "../../engine/runner/event-log.ts";

describe("per-run secrets", () => {
  it("are random per run, substituted into placeholders, and redacted from text", () => {
    const a = new RunSecrets(["db-password"]);
    const b = new RunSecrets(["db-password"]);
    expect(a.get("db-password")).not.toBe(b.get("db-password"));
    expect(a.get("db-password").length).toBeGreaterThanOrEqual(20);
    const url = a.resolve("postgres://postgres:${secret:db-password}@db:5432/trackr");
    expect(url).toContain(a.get("db-password"));
    expect(a.redact(`connect ${url} failed`)).toBe("connect postgres://postgres:<secret:db-password>@db:5432/trackr failed");
    expect(() => a.resolve("${secret:nope}")).toThrow(/unknown secret "nope"/);
  });

  it("never reach events.ndjson in clear", async () => {
    const secrets = new RunSecrets(["device-key"]);
    const path = join(await mkdtemp(join(tmpdir(), "havoc-secrets-")), "events.ndjson");
    const log = new EventLog(path, new RunClock(), (t) => secrets.redact(t));
    log.write({ type: "abort", reason: `k6 said: bad key ${secrets.get("device-key")}` });
    log.close();
    const text = await readFile(path, "utf8");
    expect(text).not.toContain(secrets.get("device-key"));
    expect(text).toContain("<secret:device-key>");
  });
});
