import type { Logger } from "../../core/log.ts";
import { EnvironmentError } from "../../core/errors.ts";
import { aptInstall, isExecutable, isRoot, output, type BootstrapStep, type StepStatus } from "./shared.ts";

const step = "network tools";

/**
 * The host tools network faults use to act in a container's network namespace from the host (nsenter into the
 * namespace Docker keeps at NetworkSettings.SandboxKey, the way Chaos Mesh's daemon does), with the Debian package
 * each comes from. bash sends the cut probe's datagram (/dev/udp); it is essential in Debian.
 */
export const netTools = [
  { tool: "nsenter", pkg: "util-linux" },
  { tool: "unshare", pkg: "util-linux" },
  { tool: "nft", pkg: "nftables" },
  { tool: "tc", pkg: "iproute2" },
  { tool: "ip", pkg: "iproute2" },
  { tool: "bash", pkg: "bash" },
] as const;

/** Where the tools are looked for and what PATH the namespace scripts run with (root's sbin dirs included). */
export const netToolsPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Absolute path of a tool in netToolsPath, or undefined. */
export async function findTool(tool: string): Promise<string | undefined> {
  for (const dir of netToolsPath.split(":")) if (await isExecutable(`${dir}/${tool}`)) return `${dir}/${tool}`;
  return undefined;
}

/** Tools missing on this host (empty: all there). */
export async function missingNetTools(): Promise<(typeof netTools)[number][]> {
  const found = await Promise.all(netTools.map(async (t) => ((await findTool(t.tool)) ? undefined : t)));
  return found.filter((t) => t !== undefined);
}

export async function check(): Promise<StepStatus> {
  const missing = await missingNetTools();
  if (missing.length === 0) {
    const nft = (await output(`${(await findTool("nft"))!}`, ["--version"])) ?? "nft";
    return { present: true, detail: `${nft}, tc, ip, nsenter on the host: network faults enter the targets' namespaces from the host` };
  }
  const what = `missing ${missing.map((t) => t.tool).join(", ")} (Debian: ${[...new Set(missing.map((t) => t.pkg))].join(" ")})`;
  // Without root nothing can be installed, and nsenter into a namespace needs root anyway: network faults then run in
  // sidecar containers (havoc/netfault), which is slower but works. Nothing for this step to do, so it is "present".
  if (!isRoot()) return { present: true, detail: `${what}; not root, so network faults run in sidecar containers` };
  return { present: false, detail: what };
}

export async function ensure(logger: Logger): Promise<StepStatus> {
  const before = await check();
  if (before.present) return before;
  const packages = [...new Set((await missingNetTools()).map((t) => t.pkg))];
  await aptInstall(step, packages, logger);
  const after = await check();
  if (!after.present) throw new EnvironmentError(`${step}: installed ${packages.join(" ")} but ${after.detail}`, `check: dpkg -L ${packages.join(" ")}`);
  return after;
}

export const netToolsStep: BootstrapStep = { name: step, check, ensure };
