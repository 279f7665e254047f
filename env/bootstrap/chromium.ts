import type { Logger } from "../../core/log.ts";
import { EnvironmentError } from "../../core/errors.ts";
import { aptInstall, isExecutable, output, type BootstrapStep, type StepStatus } from "./shared.ts";

const step = "chromium";

/** The real binary, not the /usr/bin shell wrapper: playwright-core launches it directly. */
export function chromiumPath(): string {
  return "/usr/lib/chromium/chromium";
}

export async function check(): Promise<StepStatus> {
  if (!(await isExecutable(chromiumPath()))) return { present: false, detail: `${chromiumPath()} missing` };
  // dpkg-query answers in ms; `chromium --version` would start the browser binary.
  const version = await output("dpkg-query", ["-W", "-f=${Version}", "chromium"]);
  return { present: true, detail: `Chromium ${version ?? "(version unknown)"}` };
}

export async function ensure(logger: Logger): Promise<StepStatus> {
  const before = await check();
  if (before.present) return before;
  await aptInstall(step, ["chromium"], logger);
  const after = await check();
  if (!after.present) throw new EnvironmentError(`${step}: chromium installed but ${chromiumPath()} is missing`, "check: dpkg -L chromium | grep lib/chromium/chromium");
  return after;
}

export const chromium: BootstrapStep = { name: step, check, ensure };
