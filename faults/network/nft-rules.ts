/**
 * Pure builders of nftables rulesets for network faults. Each fault owns one `table inet havoc_<fault>` per
 * network namespace, so heal is a single atomic `delete table`, and a re-apply replaces the table in one
 * transaction (no moment without rules).
 */

/** A node's addresses, split by family (nft sets are per family). */
export interface IpSet {
  v4: string[];
  v6: string[];
}

export const emptyIpSet = (): IpSet => ({ v4: [], v6: [] });

export function mergeIpSets(sets: readonly IpSet[]): IpSet {
  const v4 = new Set(sets.flatMap((s) => s.v4));
  const v6 = new Set(sets.flatMap((s) => s.v6));
  return { v4: [...v4].sort(), v6: [...v6].sort() };
}

/** `havoc_<key>`: letters, digits and '_' only (nft identifiers), at most 60 characters. */
export function nftTableName(faultKey: string): string {
  return `havoc_${faultKey.replace(/[^a-zA-Z0-9_]/g, "_")}`.slice(0, 60);
}

function setDecl(name: string, type: "ipv4_addr" | "ipv6_addr", elements: readonly string[]): string {
  return elements.length === 0 ? "" : `  set ${name} { type ${type}; elements = { ${elements.join(", ")} } }\n`;
}

/** Priority -10: before anything else in the filter hooks of the namespace. */
const HOOK_PRIORITY = -10;

/**
 * Drops packets from `dropFrom` (input) and to `dropTo` (output). Empty sets mean no rule for that side. Each rule
 * counts what it drops, so `nft list table` shows how much a cut has held back.
 */
export function cutTableBody(cut: { dropFrom: IpSet; dropTo: IpSet }): string {
  const input = [
    cut.dropFrom.v4.length ? "    ip saddr @from4 counter drop\n" : "",
    cut.dropFrom.v6.length ? "    ip6 saddr @from6 counter drop\n" : "",
  ].join("");
  const output = [
    cut.dropTo.v4.length ? "    ip daddr @to4 counter drop\n" : "",
    cut.dropTo.v6.length ? "    ip6 daddr @to6 counter drop\n" : "",
  ].join("");
  return (
    setDecl("from4", "ipv4_addr", cut.dropFrom.v4) +
    setDecl("from6", "ipv6_addr", cut.dropFrom.v6) +
    setDecl("to4", "ipv4_addr", cut.dropTo.v4) +
    setDecl("to6", "ipv6_addr", cut.dropTo.v6) +
    `  chain input {\n    type filter hook input priority ${HOOK_PRIORITY}; policy accept;\n${input}  }\n` +
    `  chain output {\n    type filter hook output priority ${HOOK_PRIORITY}; policy accept;\n${output}  }\n`
  );
}

export interface LossRule {
  /** 0..100; resolution 0.01 points. */
  percent: number;
  ingress: boolean;
  egress: boolean;
  /** Only packets from/to these addresses; undefined means every non-loopback packet. */
  peers?: IpSet;
}

/**
 * Random drop with `numgen random mod 10000 < percent*100`. Loopback is never touched (Docker's DNS at
 * 127.0.0.11 lives there; dropping it turns loss into name-resolution failures).
 */
export function lossTableBody(rule: LossRule): string {
  const threshold = Math.round(rule.percent * 100);
  const drop = `numgen random mod 10000 < ${threshold} drop`;
  const lines = (iface: "iifname" | "oifname", addr: "saddr" | "daddr") => {
    if (!rule.peers) return `    ${iface} != "lo" ${drop}\n`;
    return [
      rule.peers.v4.length ? `    ${iface} != "lo" ip ${addr} @peers4 ${drop}\n` : "",
      rule.peers.v6.length ? `    ${iface} != "lo" ip6 ${addr} @peers6 ${drop}\n` : "",
    ].join("");
  };
  return (
    (rule.peers ? setDecl("peers4", "ipv4_addr", rule.peers.v4) + setDecl("peers6", "ipv6_addr", rule.peers.v6) : "") +
    `  chain input {\n    type filter hook input priority ${HOOK_PRIORITY}; policy accept;\n${rule.ingress ? lines("iifname", "saddr") : ""}  }\n` +
    `  chain output {\n    type filter hook output priority ${HOOK_PRIORITY}; policy accept;\n${rule.egress ? lines("oifname", "daddr") : ""}  }\n`
  );
}

/**
 * One nft transaction that creates or replaces the table: declaring an empty table first makes the delete
 * valid when it does not exist yet; `nft -f` applies the whole script atomically.
 */
export function replaceTableScript(table: string, body: string): string {
  return `table inet ${table} {}\ndelete table inet ${table}\ntable inet ${table} {\n${body}}\n`;
}

export function deleteTableCommand(table: string): string[] {
  return ["nft", "delete", "table", "inet", table];
}

/** True when `nft list tables` output lists the table. */
export function listsTable(nftListTables: string, table: string): boolean {
  return nftListTables.split("\n").some((line) => line.trim() === `table inet ${table}`);
}
