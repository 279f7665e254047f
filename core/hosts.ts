import { z } from "zod";
import { NodeName } from "./topology-names.ts";

/**
 * The Docker engines a run may use besides this machine's own, and where its nodes go. A node or load generator is
 * on the local engine (`DOCKER_HOST`, else the local socket) unless it names a declared host. A run whose nodes or
 * generators sit on more than one engine joins them by overlay networks of Docker's swarm mode: every engine it uses
 * must already be a member of one swarm (docs/ARCHITECTURE.md, "Several hosts").
 */

/** The name of this machine's own engine; never declared, always present. */
export const LOCAL_HOST = "local";

/** A host's name: what nodes (`host`), `spread` and load generators refer to. */
export const HostName = NodeName;
export type HostName = z.infer<typeof HostName>;

/** An IPv4 or IPv6 literal (a name could resolve elsewhere; the traffic rule compares addresses). */
export const IpLiteral = z.union([z.ipv4(), z.ipv6()], { error: "expected an IPv4 or IPv6 address literal" });

/** TLS material of a tcp:// engine (files on this machine, relative to the scenario file). */
export const HostTls = z
  .object({
    /** CA certificate (PEM) the engine's certificate is checked against. */
    ca: z.string().min(1),
    /** Client certificate (PEM). */
    cert: z.string().min(1),
    /** Client key (PEM). */
    key: z.string().min(1),
    /** Check that the engine's certificate names the host it was reached at. Default true (the CA is always checked). */
    verify: z.boolean().default(true),
  })
  .strict();
export type HostTls = z.infer<typeof HostTls>;

/** The four ways of naming an engine, as Docker's own client takes them. */
const engineUrl = /^(unix:\/\/\/.+|tcp:\/\/[^/]+|ssh:\/\/[^/]+)$/;
const contextName = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

export const HostSpec = z
  .object({
    /**
     * The engine: `unix:///path/docker.sock`, `tcp://host:2376` (with `tls`, or plain on a trusted network),
     * `ssh://user@host[:port]` (runs `docker system dial-stdio` there; keys from the SSH agent), or the name of a
     * Docker context (`docker context ls`).
     */
    docker: z.string().refine((v) => engineUrl.test(v) || contextName.test(v), "expected unix:///path, tcp://host:port, ssh://user@host or a Docker context name"),
    /** TLS for a tcp:// engine. Default none (plain HTTP). */
    tls: HostTls.optional(),
    /**
     * Where the harness reaches the ports this host publishes (readback, probes, traffic from this machine). Default:
     * the engine URL's host when it is an address (a name is resolved once), else the host's swarm address.
     */
    address: IpLiteral.optional(),
    /** The interface address the engine publishes ports on. Default `address` (give 0.0.0.0 behind NAT). */
    bindIp: IpLiteral.optional(),
  })
  .strict()
  .refine((h) => h.tls === undefined || h.docker.startsWith("tcp://"), { message: "tls applies to a tcp:// engine only", path: ["tls"] });
export type HostSpec = z.infer<typeof HostSpec>;
export type HostSpecInput = z.input<typeof HostSpec>;

/** What is wrong with a declared host's name (zod's default for any key problem is "Invalid key in record"). */
function hostNameProblem(name: unknown): string {
  if (name === LOCAL_HOST) return `"${LOCAL_HOST}" is this machine's own engine; give the declared host another name`;
  return `host name "${String(name)}": expected a lower-case name: a letter, then letters, digits or '-', at most 31 characters`;
}

/** The declared hosts of a scenario, by name; "local" is this machine's engine and cannot be declared. */
export const Hosts = z
  .record(
    HostName.refine((name) => name !== LOCAL_HOST),
    HostSpec,
    { error: (issue) => (issue.code === "invalid_key" ? hostNameProblem(issue.input as unknown) : undefined) },
  )
  .default({});
export type Hosts = z.infer<typeof Hosts>;

/**
 * Per role, the hosts its nodes are spread over, in turn by node order (`{ app: ["local", "east"] }`: app-1 local,
 * app-2 east, app-3 local). A node's own `host` wins over its role's spread.
 */
export const Spread = z.record(z.string().min(1), z.array(HostName).min(1)).default({});
export type Spread = z.infer<typeof Spread>;

/** What placement needs of a node. */
export interface Placeable {
  name: string;
  role?: string | undefined;
  host?: string | undefined;
}

/** The host of every node: its own `host`, else its role's spread in turn, else "local". */
export function placeNodes(nodes: readonly Placeable[], spread: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const turn = new Map<string, number>();
  const placed = new Map<string, string>();
  for (const node of nodes) {
    if (node.host !== undefined) {
      placed.set(node.name, node.host);
      continue;
    }
    const hosts = node.role !== undefined ? spread[node.role] : undefined;
    if (!hosts || hosts.length === 0) {
      placed.set(node.name, LOCAL_HOST);
      continue;
    }
    const i = turn.get(node.role!) ?? 0;
    turn.set(node.role!, i + 1);
    placed.set(node.name, hosts[i % hosts.length]!);
  }
  return placed;
}

/**
 * Whether a run whose nodes and generators sit on `hosts` spans more than one engine, and so needs overlay networks
 * (a run on one engine, even a declared one, keeps bridge networks there).
 */
export function spansHosts(hosts: Iterable<string>): boolean {
  return new Set(hosts).size > 1;
}

/**
 * Splits a class's arrival rate over `generators` equal execution segments: each gets rate/generators per second,
 * which must be whole so the split is exact (k6 would otherwise stripe a fractional rate over the segments). Returns
 * why not, with the counts that would divide, or undefined when it splits.
 */
export function rateSplitProblem(ratePerSecond: number, generators: number): string | undefined {
  if (generators <= 1 || ratePerSecond % generators === 0) return undefined;
  const divisors = Array.from({ length: Math.min(16, ratePerSecond) }, (_, i) => i + 1).filter((n) => ratePerSecond % n === 0);
  return `a rate of ${ratePerSecond}/s cannot be split into ${generators} equal whole rates (${(ratePerSecond / generators).toFixed(2)}/s each); counts that divide it: ${divisors.join(", ")}`;
}
