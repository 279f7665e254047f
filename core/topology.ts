import { z } from "zod";
import { DurationMs } from "./duration.ts";

/** DNS-safe name: nodes and networks are reached by these names inside the run's networks. */
export const NodeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a lower-case name: a letter, then letters, digits or '-', at most 31 characters");

/** How the harness decides a node is ready. Probes run from the host against published 127.0.0.1 ports, or by exec. */
export const ReadyProbe = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("http"),
    /** Container port; it must be listed in the node's `ports`. */
    port: z.number().int().min(1).max(65535),
    path: z.string().startsWith("/").default("/"),
    /** Expected status. Default 200. */
    status: z.number().int().default(200),
  }).strict(),
  z.object({ kind: z.literal("tcp"), port: z.number().int().min(1).max(65535) }).strict(),
  /** A command run inside the container; exit 0 means ready. */
  z.object({ kind: z.literal("exec"), command: z.array(z.string()).min(1) }).strict(),
]);
export type ReadyProbe = z.infer<typeof ReadyProbe>;

export const NodeSpec = z
  .object({
    name: NodeName,
    /** Image tag; images built by havoc are listed in the scenario's `images`. */
    image: z.string().min(1),
    /** Group used by selectors and SLOs, e.g. "app", "db", "lb". */
    role: z.string().min(1).optional(),
    /**
     * Environment. A value may contain `${secret:NAME}`, replaced by the run's generated secret NAME
     * (never printed or written to reports).
     */
    env: z.record(z.string(), z.string()).default({}),
    command: z.array(z.string()).optional(),
    /** Container ports published on 127.0.0.1 at a host port chosen per run (so two runs never collide). */
    ports: z.array(z.number().int().min(1).max(65535)).default([]),
    /** Networks this node joins (one NIC each). Default: the topology's first network. */
    networks: z.array(NodeName).optional(),
    ready: ReadyProbe.optional(),
    /** Deadline for `ready` after start. Default 60 s. */
    readyTimeoutMs: DurationMs.default(60_000),
    /** Nodes that must be ready before this one starts. */
    dependsOn: z.array(NodeName).default([]),
    /** Memory limit in MiB. */
    memoryMb: z.number().int().positive().optional(),
  })
  .strict();
export type NodeSpec = z.infer<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

export const Topology = z
  .object({
    /** Docker networks created per run (labelled havoc.run). Default one network "main". */
    networks: z.array(NodeName).min(1).default(["main"]),
    nodes: z.array(NodeSpec).min(1),
  })
  .strict()
  .superRefine((topology, ctx) => {
    const names = new Set<string>();
    topology.nodes.forEach((node, i) => {
      if (names.has(node.name)) ctx.addIssue({ code: "custom", path: ["nodes", i, "name"], message: `duplicate node name "${node.name}"` });
      names.add(node.name);
      node.networks?.forEach((net, j) => {
        if (!topology.networks.includes(net))
          ctx.addIssue({ code: "custom", path: ["nodes", i, "networks", j], message: `unknown network "${net}"; declared: ${topology.networks.join(", ")}` });
      });
      if (node.ready && node.ready.kind !== "exec" && !node.ports.includes(node.ready.port))
        ctx.addIssue({ code: "custom", path: ["nodes", i, "ready", "port"], message: `ready probe port ${node.ready.port} is not in the node's ports [${node.ports.join(", ")}]` });
    });
    topology.nodes.forEach((node, i) =>
      node.dependsOn.forEach((dep, j) => {
        if (!names.has(dep)) ctx.addIssue({ code: "custom", path: ["nodes", i, "dependsOn", j], message: `unknown node "${dep}"` });
      }),
    );
  });
export type Topology = z.infer<typeof Topology>;
