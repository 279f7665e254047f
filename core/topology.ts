import { createHash } from "node:crypto";
import { basename } from "node:path";
import { z } from "zod";
import { DurationMs, Milliseconds } from "./duration.ts";

import { HostName, Spread } from "./hosts.ts";
import { ProbeSettings, ProbeSpec } from "./probe-spec.ts";
import { NodeName } from "./topology-names.ts";

export { NodeName };

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

/**
 * A size-limited disk mounted into a node, so disk-full faults hit only this node's data (and the host's disk never).
 * - "loop-ext4": a sparse ext4 image file on the host under `<cacheDir>/disks/<runId>/<node>.img`, loop-mounted on the
 *   host and bind-mounted into the container. Data and fullness survive kill+start of the container (measured).
 * - "tmpfs": a Docker tmpfs mount of `sizeMb`. Wiped when the container stops; counts against memory.
 * - "lazyfs": the lazyfs FUSE filesystem (env/go/lazyfs) over a loop-ext4 disk of `sizeMb`, mounted on the host and
 *   bind-mounted in: writes stay in the daemon's memory until fsynced, so a `power-loss` fault can discard every
 *   unfsynced write, as a power cut would. Data that was fsynced survives kill+start like loop-ext4's.
 */
export const DataVolume = z
  .object({
    /** Absolute mount point inside the container, e.g. "/var/lib/postgresql/data". */
    path: z.string().regex(/^\/[^\0]*$/, "expected an absolute path inside the container").refine((p) => p !== "/", "the root directory cannot be a data volume"),
    /** Size in MiB. ext4 keeps part of it for its journal and metadata: 24.6 MiB of a 32 MiB disk are usable. */
    sizeMb: z.number().int().min(8).max(65_536),
    /** Default "loop-ext4". "lazyfs" is the one a `power-loss` fault needs. */
    kind: z.enum(["loop-ext4", "tmpfs", "lazyfs"]).default("loop-ext4"),
    /**
     * Owner of the volume's root directory (uid/gid inside the container; the same numbers on the host).
     * Default 0:0 (root). Images whose service runs as another user either fix ownership in their entrypoint
     * (trackr's postgres does) or need e.g. `uid: 100, gid: 102` here. tmpfs gets it through its `uid`/`gid` options.
     */
    uid: z.number().int().min(0).optional(),
    gid: z.number().int().min(0).optional(),
    /** Octal mode of the volume's root directory, e.g. "0700". Default "0755". */
    mode: z.string().regex(/^0?[0-7]{3,4}$/, 'expected an octal mode such as "0755"').default("0755"),
    /**
     * lazyfs only. Default false. When true, every file on the volume is flushed (lazyfs's `sync`) once the whole
     * topology has started (every ready probe passed), before the steady-state gate. lazyfs keeps an unfsynced
     * write forever, whereas a kernel writes dirty pages back within about 30 s: a node's setup (a template copy, a
     * state transfer, the schema its clients create at start) would be on disk long before a cut that comes during
     * traffic. With this, a `power-loss` judges what the system wrote while serving, not a setup that never fsyncs.
     */
    syncAfterStart: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !v.syncAfterStart || v.kind === "lazyfs", { path: ["syncAfterStart"], message: 'syncAfterStart needs kind "lazyfs" (only lazyfs holds unfsynced writes back)' });
export type DataVolume = z.infer<typeof DataVolume>;

/**
 * An image built from the user's own Dockerfile (no registry needed). `context` is relative to the scenario file
 * (the loader makes it absolute); the image is rebuilt only when a file of the context (less .dockerignore'd ones),
 * the Dockerfile, `args` or `target` changed.
 */
export const ImageBuild = z
  .object({
    /** Build context folder, relative to the scenario file (or the compose file it came from). */
    context: z.string().min(1),
    /** Dockerfile path inside the context. Default "Dockerfile". */
    dockerfile: z.string().min(1).default("Dockerfile"),
    /** Build arguments (ARG). Default none. */
    args: z.record(z.string(), z.string()).default({}),
    /** Stage of a multi-stage Dockerfile to build. Default the last one. */
    target: z.string().min(1).optional(),
    /**
     * A command (argv, run in the context folder, PATH looked up) that makes files the Dockerfile copies before the
     * context is hashed and built, e.g. `["node", "bundle.mjs"]` bundling an app so the image needs no npm install.
     * Bounded by the bootstrap's deadline; a non-zero exit fails the setup with the command's output. Default none.
     */
    prepare: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((b) => !b.dockerfile.startsWith("/") && !b.dockerfile.split(/[\\/]/).includes(".."), {
    message: "dockerfile must be a path inside the build context",
    path: ["dockerfile"],
  });
export type ImageBuild = z.infer<typeof ImageBuild>;

/**
 * Tag of a node image havoc builds from the user's Dockerfile and no tag was given: the context folder's name plus
 * a hash of where it is and how it is built, so two repositories (or two Dockerfiles of one) never share a tag.
 */
export function builtImageTag(build: ImageBuild): string {
  const slug = basename(build.context).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "") || "context";
  const how = createHash("sha256").update(JSON.stringify([build.context, build.dockerfile, build.target ?? null, Object.entries(build.args).sort()])).digest("hex");
  return `havoc-local/${slug.slice(0, 60)}:${how.slice(0, 12)}`;
}

export const NodeSpec = z
  .object({
    name: NodeName,
    /**
     * Image tag. An image havoc builds (its own, or `build`), or one that already exists in the local Docker engine
     * (nothing is pulled). With `build`, the tag the build gets (default: derived, see builtImageTag).
     */
    image: z.string().min(1).optional(),
    /** Build the image from a Dockerfile of the user's (see ImageBuild). */
    build: ImageBuild.optional(),
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
    readyTimeoutMs: Milliseconds.default(60_000),
    /** Nodes that must be ready before this one starts. */
    dependsOn: z.array(NodeName).default([]),
    /** Memory limit in MiB. */
    memoryMb: z.number().int().positive().optional(),
    /** A size-limited disk at `dataVolume.path` (target of disk faults). Default: none (the container's own layer). */
    dataVolume: DataVolume.optional(),
    /** The host whose engine runs this node (a name of the scenario's `hosts`). Default: its role's `spread`, else "local". */
    host: HostName.optional(),
  })
  .strict()
  .refine((n) => n.image !== undefined || n.build !== undefined, { message: "expected an image tag or a build", path: ["image"] })
  .transform((n) => ({ ...n, image: n.image ?? builtImageTag(n.build!) }));
export type NodeSpec = z.infer<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

/**
 * A TCP link through toxiproxy: clients connect to `<name>:<listenPort>` instead of `<to.node>:<to.port>`, and link
 * faults (latency, bandwidth, resets, link-down...) act on that path. One toxiproxy node (named "toxiproxy", API on
 * 8474 published on 127.0.0.1) carries every link; it joins every network with each link name as DNS alias.
 */
export const LinkSpec = z
  .object({
    /** DNS alias clients use, e.g. "db-link" in DATABASE_URL=postgres://...@db-link:5432/... */
    name: NodeName,
    /** Where the link leads. */
    to: z.object({ node: NodeName, port: z.number().int().min(1).max(65535) }).strict(),
    /** Port the link listens on (on the toxiproxy node). Default `to.port`. */
    listenPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict()
  .transform((link) => ({ ...link, listenPort: link.listenPort ?? link.to.port }));
export type LinkSpec = z.infer<typeof LinkSpec>;

/**
 * A backup the topology keeps of one node's data (docs/recovery.md): a backup node that copies `of` on a schedule
 * (and, with `archiveTimeout`, archives its log continuously), listing what it completed with `catalog` and writing
 * a restorable copy with `export`. `restore` steps name it; `recovery-point` SLOs are checked against its schedule.
 */
export const BackupSpec = z
  .object({
    /** Name `restore` steps refer to, e.g. "db-backups". */
    name: NodeName,
    /** The node that takes and keeps the backups (another network or zone than `of`: "off-site"). */
    node: NodeName,
    /**
     * The node whose data it backs up, a restore step's target; or the nodes of a replicated store that all hold
     * that data (e.g. a primary and its replicas): a restore step may rebuild any of them, or all at once.
     */
    of: z.union([NodeName, z.array(NodeName).min(1)]),
    /** Interval of full (base) backups, e.g. "20s" standing for "daily". The newest base backup is at most this old. */
    every: DurationMs,
    /**
     * With continuous log archiving (PostgreSQL WAL): at most this much of the newest acknowledged writes is not yet
     * archived (PostgreSQL's archive_timeout). Omitted: no continuous archive, only base backups.
     */
    archiveTimeout: DurationMs.optional(),
    /**
     * Command run in `node` that prints one JSON line per completed backup: `{"label", "startedAtMs",
     * "completedAtMs"}` (epoch ms). Recorded on the run clock by restore steps.
     */
    catalog: z.array(z.string().min(1)).min(1),
    /**
     * Command run in `node`, with the restore point appended ("last-backup" or "newest-archived"), that writes a
     * tar of a data directory to stdout, ready to start on, and one line on stderr saying what it holds; a non-zero
     * exit when it has nothing to restore.
     */
    export: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type BackupSpec = z.infer<typeof BackupSpec>;

/** The nodes a backup holds the data of (`of`, one name or several), in the order given. */
export function backupOf(backup: Pick<BackupSpec, "of">): string[] {
  return typeof backup.of === "string" ? [backup.of] : [...backup.of];
}

/** Node name of the toxiproxy node a topology with links gets; no declared node may use it then. */
export const TOXIPROXY_NODE = "toxiproxy";
/** Port of toxiproxy's HTTP API inside its container (published on 127.0.0.1 like every node port). */
export const TOXIPROXY_API_PORT = 8474;

export const Topology = z
  .object({
    /** Docker networks created per run (labelled havoc.run). Default one network "main". */
    networks: z.array(NodeName).min(1).default(["main"]),
    nodes: z.array(NodeSpec).min(1),
    /** TCP links through toxiproxy, the targets of link faults. Default none (no toxiproxy node). */
    links: z.array(LinkSpec).default([]),
    /** Backups of nodes' data, taken by backup nodes while the run goes (BackupSpec). Default none. */
    backups: z.array(BackupSpec).default([]),
    /**
     * Per role, how to tell which node currently holds it, e.g. the PostgreSQL primary:
     * `{ db: { primaryProbe: ["psql", "-tAc", "select not pg_is_in_recovery()"], expect: "t" } }`.
     * A selector with mode "primary" runs the probe in every node of the role at injection time.
     */
    roles: z
      .record(
        z.string().min(1),
        z
          .object({
            /** Command run inside each node of the role. */
            primaryProbe: z.array(z.string()).min(1),
            /** The node is primary when the probe exits 0 and, if given, its trimmed output equals this. */
            expect: z.string().optional(),
          })
          .strict(),
      )
      .default({}),
    /** The system's own signals sampled while traffic runs (core/probe-spec.ts): leader, replication lag, ... Default none. */
    probes: z.array(ProbeSpec).default([]),
    probeSettings: ProbeSettings.default({ interval: 1_000, timeout: 1_500 }),
    /**
     * Per role, the hosts its nodes are spread over in turn (core/hosts.ts), e.g. `{ app: ["local", "east"] }`; the
     * links' node has role "toxiproxy". Default none: every node without its own `host` is local.
     */
    spread: Spread,
  })
  .strict()
  .superRefine((topology, ctx) => {
    const names = new Set<string>();
    const builds = new Map<string, { node: string; how: string }>();
    topology.nodes.forEach((node, i) => {
      if (node.build) {
        const how = JSON.stringify(node.build);
        const other = builds.get(node.image);
        if (other && other.how !== how)
          ctx.addIssue({ code: "custom", path: ["nodes", i, "image"], message: `image "${node.image}" is also built by node "${other.node}" from a different build; give one of them another tag` });
        builds.set(node.image, { node: node.name, how });
      }
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
    const linkNames = new Set<string>();
    const listenPorts = new Set<number>();
    topology.links.forEach((link, i) => {
      if (linkNames.has(link.name)) ctx.addIssue({ code: "custom", path: ["links", i, "name"], message: `duplicate link name "${link.name}"` });
      linkNames.add(link.name);
      if (names.has(link.name)) ctx.addIssue({ code: "custom", path: ["links", i, "name"], message: `link name "${link.name}" is also a node name; pick another DNS alias (e.g. "${link.name}-link")` });
      if (topology.networks.includes(link.name)) ctx.addIssue({ code: "custom", path: ["links", i, "name"], message: `link name "${link.name}" is also a network name` });
      if (link.name === TOXIPROXY_NODE) ctx.addIssue({ code: "custom", path: ["links", i, "name"], message: `"${TOXIPROXY_NODE}" is the name of the links' own node` });
      if (!names.has(link.to.node)) ctx.addIssue({ code: "custom", path: ["links", i, "to", "node"], message: `unknown node "${link.to.node}"` });
      // Every link listens on the one toxiproxy node, so two links cannot share a port (nor use the API's).
      if (listenPorts.has(link.listenPort) || link.listenPort === TOXIPROXY_API_PORT)
        ctx.addIssue({ code: "custom", path: ["links", i, "listenPort"], message: `listen port ${link.listenPort} is already used on the toxiproxy node; set a distinct listenPort` });
      listenPorts.add(link.listenPort);
    });
    const backupNames = new Set<string>();
    topology.backups.forEach((backup, i) => {
      if (backupNames.has(backup.name)) ctx.addIssue({ code: "custom", path: ["backups", i, "name"], message: `duplicate backup name "${backup.name}"` });
      backupNames.add(backup.name);
      if (!names.has(backup.node)) ctx.addIssue({ code: "custom", path: ["backups", i, "node"], message: `unknown node "${backup.node}"` });
      const ofPath = (j: number) => (typeof backup.of === "string" ? ["backups", i, "of"] : ["backups", i, "of", j]);
      backupOf(backup).forEach((name, j) => {
        if (!names.has(name)) return ctx.addIssue({ code: "custom", path: ofPath(j), message: `unknown node "${name}"` });
        if (backup.node === name) ctx.addIssue({ code: "custom", path: ["backups", i, "node"], message: `a backup kept on the node it backs up ("${name}") is lost with it; name another node` });
        const of = topology.nodes.find((n) => n.name === name);
        if (of && of.dataVolume?.kind !== "loop-ext4" && of.dataVolume?.kind !== "lazyfs")
          ctx.addIssue({ code: "custom", path: ofPath(j), message: `node "${name}" needs a dataVolume of kind "loop-ext4" or "lazyfs" at its data directory, so a restore can write the backup onto a fresh disk` });
      });
    });
    topology.probes.forEach((probe, i) => {
      if (probe.role !== undefined && !topology.nodes.some((n) => n.role === probe.role))
        ctx.addIssue({ code: "custom", path: ["probes", i, "role"], message: `no node has role "${probe.role}"; roles: ${[...new Set(topology.nodes.flatMap((n) => n.role ?? []))].join(", ")}` });
      if (probe.kind === "series")
        probe.nodes?.forEach((node, j) => {
          if (!names.has(node)) ctx.addIssue({ code: "custom", path: ["probes", i, "nodes", j], message: `unknown node "${node}"` });
        });
      if (probe.kind === "leader" && !probe.check && !topology.roles[probe.role])
        ctx.addIssue({ code: "custom", path: ["probes", i, "check"], message: `a leader probe without check needs topology.roles.${probe.role}.primaryProbe` });
    });
    for (const role of Object.keys(topology.spread))
      if (!topology.nodes.some((n) => n.role === role) && !(role === TOXIPROXY_NODE && topology.links.length > 0))
        ctx.addIssue({ code: "custom", path: ["spread", role], message: `no node has role "${role}"; roles: ${[...new Set(topology.nodes.flatMap((n) => n.role ?? []))].join(", ")}` });
    if (topology.links.length > 0 && names.has(TOXIPROXY_NODE))
      ctx.addIssue({ code: "custom", path: ["nodes"], message: `a topology with links gets a node named "${TOXIPROXY_NODE}"; rename the declared one` });
  });
export type Topology = z.infer<typeof Topology>;
