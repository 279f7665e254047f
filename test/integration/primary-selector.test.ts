import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { execInContainer } from "../../env/docker/exec.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { findPrimaries } from "../../env/topology/primary.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import { newRunId } from "../../engine/runner/run-id.ts";
import { leftovers } from "../support/run-cli.ts";

const log = createLogger("primary-selector-test");
const node = (name: string) => ({ name, image: "debian:bookworm", role: "db", command: ["sleep", "infinity"], ready: { kind: "exec" as const, command: ["true"] } });

describe("selector mode primary (integration)", () => {
  it("finds the node holding the role by the topology's probe, and follows a failover", async () => {
    const runId = newRunId();
    const topology = Topology.parse({ nodes: [node("db-1"), node("db-2"), node("db-3")], roles: { db: { primaryProbe: ["cat", "/tmp/role"], expect: "primary" } } });
    const started = await startTopology({ runId, topology, secrets: new RunSecrets([]), log });
    try {
      const mark = (name: string, role: string) => execInContainer(started.container(name), ["sh", "-c", `echo ${role} > /tmp/role`], 5_000);
      await Promise.all([mark("db-1", "replica"), mark("db-2", "primary"), mark("db-3", "replica")]);
      expect(await findPrimaries(started, topology.roles, "db", ["db-1", "db-2", "db-3"])).toEqual(["db-2"]);
      await Promise.all([mark("db-2", "replica"), mark("db-3", "primary")]);
      expect(await findPrimaries(started, topology.roles, "db", ["db-1", "db-2", "db-3"])).toEqual(["db-3"]);
      await mark("db-3", "replica");
      await expect(findPrimaries(started, topology.roles, "db", ["db-1", "db-2", "db-3"])).rejects.toThrow(/no node of role "db" answered the primary probe/);
    } finally {
      await started.teardown();
    }
    expect(await leftovers(runId)).toEqual({ containers: 0, networks: 0 });
  });
});
