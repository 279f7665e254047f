import { InputError } from "../../core/errors.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { dockerClient } from "../../env/docker/client.ts";

/**
 * Refuses a scenario whose node images neither havoc can build nor the engine has, before anything starts:
 * nothing can be pulled here, and a pull attempt would fail late with a registry DNS error.
 */
export async function assertImagesPresent(scenario: Scenario, file: string): Promise<void> {
  const docker = dockerClient();
  const missing: string[] = [];
  for (const [i, node] of scenario.topology.nodes.entries()) {
    try {
      await docker.getImage(node.image).inspect();
    } catch {
      missing.push(`  at topology.nodes[${i}].image: image "${node.image}" is not in the Docker engine and havoc has no build for it`);
    }
  }
  if (missing.length > 0) throw new InputError(`${file}: missing images\n${missing.join("\n")}`, "give the node a build: { context } (relative to the scenario file) so havoc builds it, or build/load the image first (docker build / docker load); nothing is pulled; nothing was started");
}
