/**
 * A cold bootstrap of what does not need a fresh Docker data root, one after another (as before) and at once
 * (ensureEnvironment's default), alternating:
 * - the Go tools (k6, toxiproxy, actionlint) through the real bootstrap steps, from nothing: a fresh HAVOC_CACHE_DIR,
 *   GOCACHE, GOMODCACHE and GOPATH under a temp directory (modules downloaded from the proxy, everything compiled);
 * - apt from nothing: this machine has chromium and the network tools installed and other sessions use them, so the
 *   same packages are installed into a fresh debian:bookworm container from the same mirrors (apt-get update +
 *   install chromium nftables iproute2), a stand-in for the host's apt steps (same network, disk and CPU).
 * The Docker parts (engine, debootstrap, images) cannot run cold on a shared engine; the report states them from the
 * last cold run's figures.
 *
 *   npx tsx bench/bootstrap-cold.ts [repetitions=1]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../core/log.ts";
import { runBootstrapSteps, type PlannedStep } from "../env/bootstrap/ensure-environment.ts";
import { actionlintStep, k6Step, toxiproxyStep } from "../env/bootstrap/go-tools.ts";
import type { BootstrapStep } from "../env/bootstrap/shared.ts";
import { BenchRecorder } from "./lib/results.ts";
import { stats } from "./lib/stats.ts";

const repetitions = Number(process.argv[2] ?? 1);
const aptPackages = ["chromium", "nftables", "iproute2"];

/** apt from nothing in a fresh container with the host's Debian sources (the host already has the packages). */
function coldAptStep(): BootstrapStep {
  let done = false;
  return {
    name: "apt (chromium, network tools)",
    check: async () => ({ present: done, detail: done ? "installed in a fresh container" : "fresh debian:bookworm container" }),
    ensure: async (logger) => {
      // The host's sources replace the image's (bookworm main only), so the versions are the host's.
      const script = `rm -f /etc/apt/sources.list && apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${aptPackages.join(" ")} >/dev/null 2>&1 && dpkg-query -W -f='\${Package} \${Version}\\n' ${aptPackages.join(" ")}`;
      const args = ["run", "--rm", "-v", "/etc/apt/sources.list.d/debian.sources:/etc/apt/sources.list.d/debian.sources:ro", "debian:bookworm", "sh", "-c", script];
      const child = spawn("docker", args, { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      let errors = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (errors += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      if (code !== 0) throw new Error(`cold apt in a container failed (exit ${code}): ${(errors || output).slice(-800)}`);
      logger.info(`installed ${output.trim().split("\n").join(", ")}`);
      done = true;
      return { present: true, detail: "installed in a fresh container" };
    },
  };
}

interface Trial {
  mode: "serial" | "parallel";
  totalS: number;
  steps: Record<string, number>;
}

async function trial(mode: Trial["mode"]): Promise<Trial> {
  const root = await mkdtemp(join(tmpdir(), "havoc-bench-cold-"));
  const saved = { ...process.env };
  // From nothing: the tool cache and every Go cache fresh (go reads these from its environment).
  Object.assign(process.env, { HAVOC_CACHE_DIR: join(root, "cache"), GOCACHE: join(root, "go-build"), GOMODCACHE: join(root, "gomod"), GOPATH: join(root, "gopath") });
  try {
    const planned: PlannedStep[] = [k6Step, toxiproxyStep, actionlintStep, coldAptStep()].map((step) => ({ step, after: [] }));
    const startedMs = Date.now();
    const outcomes = await runBootstrapSteps(planned, createLogger(`bench ${mode}`), { parallel: mode === "parallel" });
    const totalS = (Date.now() - startedMs) / 1000;
    return { mode, totalS, steps: Object.fromEntries(outcomes.map((o) => [o.step, o.elapsedMs / 1000])) };
  } finally {
    for (const key of ["HAVOC_CACHE_DIR", "GOCACHE", "GOMODCACHE", "GOPATH"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    // Go's module cache is read-only on disk.
    await new Promise((resolve) => spawn("chmod", ["-R", "u+w", root]).on("close", resolve));
    await rm(root, { recursive: true, force: true });
  }
}

const recorder = new BenchRecorder("bootstrap-cold", `npx tsx bench/bootstrap-cold.ts ${process.argv.slice(2).join(" ")}`.trim());
const trials: Trial[] = [];
for (let i = 0; i < repetitions; i++) {
  for (const mode of i % 2 === 0 ? (["serial", "parallel"] as const) : (["parallel", "serial"] as const)) {
    const t = await trial(mode);
    trials.push(t);
    console.log(`${mode.padEnd(8)} ${t.totalS.toFixed(1)} s: ${Object.entries(t.steps).map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(", ")}`);
  }
}
const of = (mode: Trial["mode"]) => trials.filter((t) => t.mode === mode);
const serial = stats(of("serial").map((t) => t.totalS));
const parallel = stats(of("parallel").map((t) => t.totalS));
recorder.add({ id: "bootstrap.cold.go-apt", figure: "cold bootstrap of the Go tools (k6, toxiproxy, actionlint) and apt (chromium, network tools), steps at once", unit: "s", havoc: parallel, baseline: { what: "the same steps one after another (as before)", stats: serial }, ratio: Number((parallel.p50 / serial.p50).toFixed(2)) });
for (const name of Object.keys(trials[0]?.steps ?? {})) {
  recorder.add({ id: `bootstrap.cold.step.${name.split(" ")[0]}`, figure: `cold step ${name} (at once: its own time while the others ran)`, unit: "s", havoc: stats(of("parallel").map((t) => t.steps[name]!)), baseline: { what: "alone, one after another", stats: stats(of("serial").map((t) => t.steps[name]!)) } });
}
recorder.notes.push("Docker parts not run cold (shared engine): engine 16.6 s, debootstrap ~40 s, images ~50-80 s in the last cold run; they run beside these steps, the engine/base image/images chain being the only dependency.");
recorder.write();
