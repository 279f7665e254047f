import type Dockerode from "dockerode";
import { errorMessage } from "../core/errors.ts";
import { execInContainer } from "../env/docker/exec.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { z } from "zod";
import { scheduled } from "./fault-fields.ts";

/**
 * Moves one node's wall clock (CLOCK_REALTIME as its processes see it) by `offsetMs`, leaving the host alone.
 * Mechanism: libfaketime preloaded in the target image (build it FROM havoc/faketime:dev, see
 * env/images/faketime/README.md); the fault writes the offset into the file named by the container's
 * FAKETIME_TIMESTAMP_FILE, read on every clock call (FAKETIME_NO_CACHE=1). Statically linked programs (Go
 * binaries) and the kernel (file times, TLS in the kernel) are not affected. Heal writes "+0".
 */
export const ClockSkewFault = z
  .object({
    kind: z.literal("clock-skew"),
    ...scheduled,
    /** Offset in ms, negative = behind the host. Applied with 1 ms resolution. */
    offsetMs: z.number().int().min(-10 * 365 * 86_400_000).max(10 * 365 * 86_400_000),
  })
  .strict();

type Spec = z.infer<typeof ClockSkewFault>;

/** Skew is verified to this tolerance (the exec round trip is 30-80 ms here). */
const TOLERANCE_MS = 1_000;
const EXEC_TIMEOUT_MS = 5_000;

/** libfaketime offset text: signed seconds with ms resolution ("+30", "-0.25"). */
export function faketimeOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const abs = Math.abs(offsetMs);
  return `${sign}${Math.floor(abs / 1000)}${abs % 1000 ? `.${String(abs % 1000).padStart(3, "0")}` : ""}`;
}

/** The file the target's libfaketime reads, from the container's environment; throws when it has none. */
async function timestampFile(container: Dockerode.Container, node: string): Promise<string> {
  const env = (await container.inspect()).Config.Env ?? [];
  const get = (name: string) => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  const file = get("FAKETIME_TIMESTAMP_FILE");
  if (!file || !get("LD_PRELOAD")?.includes("faketime") || get("FAKETIME_NO_CACHE") !== "1")
    throw new Error(
      `clock-skew: node "${node}" does not preload libfaketime (needs LD_PRELOAD with libfaketime, FAKETIME_TIMESTAMP_FILE and FAKETIME_NO_CACHE=1): build its image FROM havoc/faketime:dev (env/images/faketime/README.md)`,
    );
  return file;
}

/** The target's wall clock minus the host's, ms, from `date +%s.%N` in the target against the exec's midpoint. */
export async function measureSkewMs(container: Dockerode.Container): Promise<number> {
  const before = Date.now();
  const result = await execInContainer(container, ["date", "+%s.%N"], EXEC_TIMEOUT_MS);
  const after = Date.now();
  const seconds = Number(result.output.trim());
  if (result.exitCode !== 0 || !Number.isFinite(seconds)) throw new Error(`date in the target failed (exit ${result.exitCode}): ${result.output.trim()}`);
  return seconds * 1000 - (before + after) / 2;
}

async function writeOffset(container: Dockerode.Container, file: string, offset: string): Promise<void> {
  const result = await execInContainer(container, ["sh", "-c", 'printf "%s\\n" "$1" > "$2.havoc-tmp" && mv "$2.havoc-tmp" "$2"', "sh", offset, file], EXEC_TIMEOUT_MS);
  if (result.exitCode !== 0) throw new Error(`writing ${offset} to ${file} failed (exit ${result.exitCode}): ${result.output.trim()}`);
}

async function setAndVerify(container: Dockerode.Container, file: string, offsetMs: number, node: string): Promise<number> {
  await writeOffset(container, file, faketimeOffset(offsetMs));
  const skew = await measureSkewMs(container);
  if (Math.abs(skew - offsetMs) > TOLERANCE_MS) throw new Error(`clock-skew: ${node} is ${Math.round(skew)} ms off the host after asking for ${offsetMs} ms`);
  return skew;
}

/**
 * Moves the targets' wall clocks by `offsetMs` through libfaketime (the image must preload it: build FROM
 * havoc/faketime:dev). The host clock is never touched. Verified by `date +%s.%N` in the target against the
 * host (within 1 s). Heal writes "+0" and verifies the clocks agree again.
 *
 * Why not a time namespace: Docker 20.10 cannot start a container in a new time namespace, and time namespaces
 * only offset CLOCK_MONOTONIC and CLOCK_BOOTTIME, never CLOCK_REALTIME (time_namespaces(7); measured here:
 * `unshare --time --monotonic 100000 --boottime 100000` moved /proc/uptime by 100000 s, `date +%s` not at all).
 * A sidecar could not use one either: setns() into a time namespace moves only the caller, never the target's
 * running processes.
 */
export const clockSkew: FaultKind<Spec> = {
  kind: "clock-skew",
  schema: ClockSkewFault,
  effect: "degraded",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const notes: string[] = [];
    const files = await Promise.all(targets.map((t) => timestampFile(ctx.topology.container(t), t)));
    const calledAt = ctx.clock.epochNow();
    try {
      await Promise.all(
        targets.map(async (t, i) => {
          const skew = await setAndVerify(ctx.topology.container(t), files[i]!, spec.offsetMs, t);
          notes.push(`${t}: clock ${Math.round(skew)} ms off the host (asked ${spec.offsetMs}), offset "${faketimeOffset(spec.offsetMs)}" in ${files[i]}`);
        }),
      );
    } catch (error) {
      await Promise.all(targets.map((t, i) => writeOffset(ctx.topology.container(t), files[i]!, "+0").catch(() => undefined)));
      throw error;
    }
    const verifiedAt = ctx.clock.epochNow();
    notes.push(`verified ${verifiedAt - calledAt} ms after the call`);
    return {
      injectedAtMs: runMs(ctx.clock, verifiedAt),
      mechanism: `libfaketime offset ${faketimeOffset(spec.offsetMs)} s (FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1)`,
      notes,
      heal: healOnce(async () => {
        await Promise.all(
          targets.map(async (t, i) => {
            const container = ctx.topology.container(t);
            try {
              const running = (await container.inspect()).State.Running;
              // A stopped container keeps its file; it cannot exec, so the offset is reset next time it runs only if
              // we write it now: start nothing here (other faults own the lifecycle), just record it.
              if (!running) {
                notes.push(`${t}: not running at heal, offset left in ${files[i]} (reset it before starting it again)`);
                return;
              }
              const skew = await setAndVerify(container, files[i]!, 0, t);
              notes.push(`${t}: clock back to ${Math.round(skew)} ms off the host`);
            } catch (error) {
              if ((error as { statusCode?: number }).statusCode === 404) return;
              notes.push(`${t}: heal failed: ${errorMessage(error)}`);
              throw error;
            }
          }),
        );
        return runMs(ctx.clock);
      }),
    };
  },
};
