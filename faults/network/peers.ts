import type { StartedTopology } from "../../env/topology/started-topology.ts";
import { emptyIpSet, mergeIpSets, type IpSet } from "./nft-rules.ts";

/** One address of a node on one of the run's networks. */
export interface NodeAddress {
  /** Topology network name (or the Docker name when it is not one of the run's networks). */
  network: string;
  ip: string;
  family: 4 | 6;
}

/** Node name -> its current addresses (empty when it is not running). */
export type AddressBook = ReadonlyMap<string, readonly NodeAddress[]>;

/** What a network fault needs to know of a node, from one `docker inspect`. */
export interface NodeNet {
  running: boolean;
  /** Its current addresses (empty when it is not running). */
  addresses: NodeAddress[];
  /**
   * The file Docker keeps the node's network namespace at (NetworkSettings.SandboxKey, /var/run/docker/netns/...):
   * `nsenter --net=<it>` enters the namespace from the host. A restart gives a new one; a stopped node has none.
   * A paused node keeps its namespace.
   */
  sandboxKey?: string;
}

/**
 * Each node's addresses and namespace, from `docker inspect` (both change across a restart or a
 * disconnect/connect, so this is asked again after every such event; never cached).
 */
export async function inspectNodes(topology: StartedTopology, nodes: Iterable<string>): Promise<Map<string, NodeNet>> {
  const byDockerName = new Map([...topology.networks].map(([name, docker]) => [docker, name]));
  const entries = await Promise.all(
    [...new Set(nodes)].map(async (node): Promise<[string, NodeNet]> => {
      const info = await topology
        .container(node)
        .inspect()
        .catch(() => undefined);
      if (!info?.State?.Running) return [node, { running: false, addresses: [] }];
      const addresses: NodeAddress[] = [];
      for (const [dockerNetwork, endpoint] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
        const network = byDockerName.get(dockerNetwork) ?? dockerNetwork;
        if (endpoint.IPAddress) addresses.push({ network, ip: endpoint.IPAddress, family: 4 });
        if (endpoint.GlobalIPv6Address) addresses.push({ network, ip: endpoint.GlobalIPv6Address, family: 6 });
      }
      addresses.sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
      const sandboxKey = info.NetworkSettings?.SandboxKey || undefined;
      return [node, { running: true, addresses, ...(sandboxKey ? { sandboxKey } : {}) }];
    }),
  );
  return new Map(entries);
}

/** The address book of an inspection. */
export function addressBook(nets: ReadonlyMap<string, NodeNet>): Map<string, NodeAddress[]> {
  return new Map([...nets].map(([node, net]) => [node, net.addresses]));
}

/** Current addresses of each node (see inspectNodes). */
export async function resolveAddresses(topology: StartedTopology, nodes: Iterable<string>): Promise<Map<string, NodeAddress[]>> {
  return addressBook(await inspectNodes(topology, nodes));
}

/** All addresses of `nodes`, by family. */
export function ipsOf(book: AddressBook, nodes: Iterable<string>): IpSet {
  return mergeIpSets(
    [...nodes].map((node) => {
      const set = emptyIpSet();
      for (const a of book.get(node) ?? []) (a.family === 4 ? set.v4 : set.v6).push(a.ip);
      return set;
    }),
  );
}

/** "a=172.18.0.2,172.19.0.3 b=-" for notes. */
export function describeAddresses(book: AddressBook, nodes: Iterable<string>): string {
  return [...nodes].map((n) => `${n}=${(book.get(n) ?? []).map((a) => a.ip).join(",") || "-"}`).join(" ");
}

/** Nodes whose address lists differ between two books. */
export function changedNodes(before: AddressBook, after: AddressBook): string[] {
  const key = (list: readonly NodeAddress[] | undefined) => (list ?? []).map((a) => `${a.network}/${a.ip}`).join(" ");
  return [...new Set([...before.keys(), ...after.keys()])].filter((n) => key(before.get(n)) !== key(after.get(n)));
}

export interface InterfaceAddress {
  iface: string;
  address: string;
}

/** Parses `ip -o addr show`: "190: eth0    inet 172.23.0.2/16 brd ..." -> { iface: "eth0", address: "172.23.0.2" }. */
export function parseInterfaceAddresses(ipAddrOutput: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of ipAddrOutput.split("\n")) {
    const match = /^\d+:\s+([^\s@]+)(?:@\S+)?\s+inet6?\s+([0-9a-fA-F.:]+)\//.exec(line.trim());
    if (match) out.push({ iface: match[1]!, address: match[2]! });
  }
  return out;
}

/** The interfaces that carry any of `addresses` (interfaces get renamed across reconnects: match by address). */
export function interfacesFor(ipAddrOutput: string, addresses: readonly string[]): string[] {
  const wanted = new Set(addresses);
  return [...new Set(parseInterfaceAddresses(ipAddrOutput).filter((a) => wanted.has(a.address) && a.iface !== "lo").map((a) => a.iface))];
}
