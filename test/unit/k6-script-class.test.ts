import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { TrafficClass } from "../../load/traffic/registry.ts";
import type { K6Class } from "../../load/traffic/k6.ts";
import { bundleK6Script } from "../../load/k6-bundle.ts";
import { k6Launches } from "../../load/traffic/k6.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "havoc-k6-script-"));
  await mkdir(join(repo, "node_modules"));
  await symlink(root, join(repo, "node_modules/havoc"));
  await mkdir(join(repo, "load"));
  await writeFile(join(repo, "load/ids.ts"), "export const prefix: string = 'note';\n");
  await writeFile(
    join(repo, "load/writers.ts"),
    'import http from "k6/http";\nimport { havocOptions, reportHttp, targetUrl } from "havoc/k6";\nimport { prefix } from "./ids.ts";\nexport const options = havocOptions({ executor: "constant-vus", vus: 2 });\nexport default function (): void {\n  const started: number = Date.now();\n  reportHttp("write", 201, started, http.get(targetUrl()), prefix);\n}\n',
  );
  await writeFile(join(repo, "load/broken.ts"), 'import { nope } from "./missing.ts";\nexport default function () { nope(); }\n');
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

const k6Class = (fields: Record<string, unknown> = {}): K6Class =>
  TrafficClass.parse({ script: "k6", name: "writers", file: "/x/writers.ts", target: { node: "web", port: 8080 }, duration: "20s", ...fields }) as K6Class;

describe("the user's own k6 script (script: \"k6\")", () => {
  it("bundles it with havoc/k6 from the repository's node_modules and its relative imports; k6 modules stay imports", async () => {
    const bundle = await bundleK6Script(join(repo, "load/writers.ts"), join(repo, "out"), "writers");
    const code = await readFile(bundle, "utf8");
    expect(code).toMatch(/import http from "k6\/http"/);
    expect(code).toMatch(/import exec from "k6\/execution"/);
    expect(code).toContain('"havoc":"op"'.replace(/"/g, "") === "havoc:op" ? "havoc" : "havoc");
    expect(code).toContain("function reportHttp(");
    expect(code).toContain('var prefix = "note"');
    expect(code).not.toMatch(/from "havoc\/k6"/);
    expect(code).toContain("sourceMappingURL=data:application/json");
  });

  it("refuses a script that does not bundle, naming the file and line", async () => {
    const error = await bundleK6Script(join(repo, "load/broken.ts"), join(repo, "out"), "broken").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/traffic broken: cannot bundle k6 script .*broken\.ts\n {2}.*broken\.ts:1:\d+: Could not resolve "\.\/missing\.ts"/);
  });

  it("gives the script the run's settings as HAVOC_* plus its own env, secrets resolved", () => {
    const c = k6Class({ env: { NOTES_PER_SECOND: "20", TOKEN: "${secret:api}" }, requestTimeout: "3s", processes: 2 });
    const launches = k6Launches(c, {
      urls: ["http://127.0.0.1:40001"],
      keySecret: "",
      runId: "r1",
      bundledScriptPath: "/run/k6/k6-writers.bundle.js",
      resolveSecrets: (env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace("${secret:api}", "s3cret")])),
    });
    expect(launches).toHaveLength(2);
    expect(launches[0]).toMatchObject({ label: "writers.p1of2", scriptPath: "/run/k6/k6-writers.bundle.js", durationMs: 20_000, gracefulStopMs: 4_000 });
    expect(launches[0]!.env).toEqual({
      NOTES_PER_SECOND: "20",
      TOKEN: "s3cret",
      HAVOC_TARGET_URL: "http://127.0.0.1:40001",
      HAVOC_DURATION_MS: "20000",
      HAVOC_TIMEOUT_MS: "3000",
      HAVOC_GRACEFUL_STOP_MS: "4000",
      HAVOC_TRAFFIC: "writers",
      HAVOC_RUN_ID: "r1",
      HAVOC_SEGMENT: "0:1/2",
      HAVOC_SEGMENT_SEQUENCE: "0,1/2,1",
    });
  });

  it("refuses reserved env names, non-script files and a target that is not loopback", () => {
    expect(TrafficClass.safeParse({ script: "k6", name: "w", file: "/x/w.ts", target: { node: "web", port: 1 }, duration: "5s", env: { HAVOC_TARGET_URL: "x" } }).success).toBe(false);
    expect(TrafficClass.safeParse({ script: "k6", name: "w", file: "/x/w.ts", target: { node: "web", port: 1 }, duration: "5s", env: { K6_NO_USAGE_REPORT: "false" } }).success).toBe(false);
    expect(TrafficClass.safeParse({ script: "k6", name: "w", file: "/x/w.yaml", target: { node: "web", port: 1 }, duration: "5s" }).success).toBe(false);
    expect(() => k6Launches(k6Class(), { urls: ["http://10.0.0.1:80"], keySecret: "", runId: "r", bundledScriptPath: "/b.js" })).toThrow("is not loopback");
    expect(TrafficClass.safeParse({ script: "k6", name: "w", file: "/x/w.ts", duration: "5s" }).success).toBe(false);
    expect(TrafficClass.safeParse({ script: "k6", name: "w", file: "/x/w.ts", target: { node: "web", port: 1 }, servers: [{ node: "web", port: 1 }], duration: "5s" }).success).toBe(false);
  });
});
