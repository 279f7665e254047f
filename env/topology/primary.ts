import type { Topology } from "../../core/topology.ts";
import { execInContainer } from "../docker/exec.ts";
import type { StartedTopology } from "./started-topology.ts";

/** Deadline of one primary probe, ms. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * The nodes among `candidates` that currently hold `role`, by the topology's role probe. Resolved at
 * injection, not at plan time, because failover moves the role (Jepsen's "primary" node spec).
 */
export async function findPrimaries(topology: StartedTopology, roles: Topology["roles"], role: string, candidates: readonly string[]): Promise<string[]> {
  const spec = roles[role];
  if (!spec) throw new Error(`no primary probe declared for role "${role}" (topology.roles)`);
  const answers = await Promise.all(
    candidates.map(async (node) => {
      try {
        const result = await execInContainer(topology.container(node), spec.primaryProbe, PROBE_TIMEOUT_MS);
        return result.exitCode === 0 && (spec.expect === undefined || result.output.trim() === spec.expect) ? node : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const primaries = answers.filter((n): n is string => n !== undefined);
  if (primaries.length === 0) throw new Error(`no node of role "${role}" answered the primary probe (${candidates.join(", ")})`);
  return primaries;
}
