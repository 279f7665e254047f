/**
 * Services calling the identity API, each holding the list of the three servers (server-list.ts):
 * open model (constant-arrival-rate), one k6 VU per client with its own accounts and tokens. Per request:
 * register a new account (when the client has none, else 10 %), log in for a new session token (30 %), introspect
 * one of its acknowledged tokens (50 %: a token that no longer validates is a stale read), change the password
 * (10 %). A client whose login is refused (401: the account or its password is gone) abandons that account and
 * registers a new one. A `script: "k6"` class (identityClients() in ../traffic.ts); prints one op line per attempt (`havoc/k6`).
 */
import exec from "k6/execution";
import type { Options } from "k6/options";
import { envInt, keySecret, segmentOptions } from "havoc/k6";
import * as havoc from "havoc/k6";
import { changePassword, introspect, login, register, type Account } from "./identity-api.ts";
import { ServerListClient, serverListSettings } from "./server-list.ts";

const settings = serverListSettings();
const ratePerSecond = envInt("RATE_PER_SECOND", 1, 10_000);
const clients = envInt("CLIENTS", 1, 5_000);
const durationMs = havoc.durationMs();
const secret = keySecret();
const trafficName = havoc.trafficName();
const runId = havoc.runId();
/** Tokens a client keeps to introspect (the newest). */
const keptTokens = 20;

export const options: Options = {
  ...segmentOptions(),
  scenarios: {
    clients: {
      executor: "constant-arrival-rate",
      rate: ratePerSecond,
      timeUnit: "1s",
      duration: `${durationMs}ms`,
      preAllocatedVUs: clients,
      maxVUs: clients,
      // A request that goes through every server, each up to its timeout, still prints its op lines.
      gracefulStop: `${settings.attempts * settings.timeoutMs + 1_000}ms`,
    },
  },
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

// Per VU (each VU has its own JS runtime): this client's server list, its accounts and the tokens it was issued.
let client: ServerListClient | undefined;
let account: Account | undefined;
const tokens: string[] = [];
let made = 0;

/** `<run>-<class>-c<client>-<kind><n>`: unique per run, also across the processes of a split class. */
function newId(kind: string): string {
  made++;
  return `${runId}-${trafficName}-c${exec.vu.idInTest}-${kind}${made}`;
}

export default function (): void {
  client ??= new ServerListClient(settings.urls, { ...settings, rotateBy: settings.spread ? exec.vu.idInTest - 1 : 0 });
  const roll = Math.random();
  if (account === undefined || roll < 0.1) {
    const registered = register(client, secret, newId("a"));
    if (registered) account = registered;
    return;
  }
  if (roll < 0.4 || tokens.length === 0) {
    const token = login(client, account, newId("s"));
    if (token === "refused") account = undefined;
    else if (token !== undefined) {
      tokens.push(token);
      if (tokens.length > keptTokens) tokens.shift();
    }
    return;
  }
  if (roll < 0.9) {
    const i = Math.floor(Math.random() * tokens.length);
    // A token found gone is dropped, as a client would log in again: each lost session counts once.
    if (introspect(client, tokens[i]!).stale === true) tokens.splice(i, 1);
    return;
  }
  changePassword(client, secret, account, newId("p"));
}

export function handleSummary(): Record<string, string> {
  return {};
}
