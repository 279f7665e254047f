/**
 * People signing in to a product that uses the identity service, through clients that hold the list of the three
 * servers (server-list.ts): closed model (ramping-vus, one VU per person). A person registers once, then loops:
 * log in; introspect the new token at once (read-your-writes: a token just issued must validate, else the read is
 * stale); use the product for a while, each request an introspection of the current token; now and then (1 in 10
 * sessions) change the password, then log in again with the new one. Think times are exponential with mean
 * 60 s / REQUESTS_PER_MINUTE. No request starts after the duration.
 */
import exec from "k6/execution";
import type { Options } from "k6/options";
import { envInt, envNumber, exponentialThinkMs, keySecret, segmentOptions, thinkUntil } from "havoc/k6";
import * as havoc from "havoc/k6";
import { changePassword, introspect, login, register, type Account } from "./identity-api.ts";
import { ServerListClient, serverListSettings } from "./server-list.ts";

const settings = serverListSettings();
const users = envInt("USERS", 1, 5_000);
const durationMs = havoc.durationMs();
const rampUpMs = envInt("RAMP_UP_MS", 0, 24 * 3_600_000, 0);
const requestsPerMinute = envNumber("REQUESTS_PER_MINUTE", 0.001, 600, 30);
const secret = keySecret();
const trafficName = havoc.trafficName();
const runId = havoc.runId();
if (rampUpMs >= durationMs) throw new Error("RAMP_UP_MS must be shorter than the class's duration");
const meanThinkMs = 60_000 / requestsPerMinute;
/** Requests a session lasts (introspections after the login's own check), on average. */
const requestsPerSession = 5;
const gracefulMs = settings.attempts * settings.timeoutMs + 1_000;

export const options: Options = {
  ...segmentOptions(),
  scenarios: {
    people: {
      executor: "ramping-vus",
      startVUs: 0,
      stages: [...(rampUpMs > 0 ? [{ duration: `${rampUpMs}ms`, target: users }] : []), { duration: `${durationMs - rampUpMs}ms`, target: users }],
      gracefulStop: `${gracefulMs}ms`,
      gracefulRampDown: `${gracefulMs}ms`,
    },
  },
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

// Per VU: the person's client, account, current token and how many more requests this session lasts.
let client: ServerListClient | undefined;
let account: Account | undefined;
let token: string | undefined;
let sessionLeft = 0;
let made = 0;
let started = false;

function newId(kind: string): string {
  made++;
  return `${runId}-${trafficName}-u${exec.vu.idInTest}-${kind}${made}`;
}

const thinkSampleMs = () => exponentialThinkMs(meanThinkMs);

export default function (): void {
  const deadlineMs = exec.scenario.startTime + durationMs;
  if (!started) {
    started = true;
    thinkUntil(deadlineMs, Math.random() * meanThinkMs);
  }
  if (Date.now() >= deadlineMs) return;
  client ??= new ServerListClient(settings.urls, { ...settings, rotateBy: settings.spread ? exec.vu.idInTest - 1 : 0 });
  const startedMs = Date.now();
  if (account === undefined) {
    account = register(client, secret, newId("a"));
  } else if (token === undefined || sessionLeft <= 0) {
    if (token !== undefined && Math.random() < 0.1) {
      // Change the password at the end of a session; the next login uses the new one.
      changePassword(client, secret, account, newId("p"));
      token = undefined;
    } else {
      const issued = login(client, account, newId("s"));
      if (issued === "refused") account = undefined;
      else if (issued !== undefined) {
        token = issued;
        sessionLeft = 1 + Math.floor(-Math.log(1 - Math.random()) * requestsPerSession);
        // Read your own write: the token just issued must validate, on whichever server answers now.
        introspect(client, token);
      }
    }
  } else {
    sessionLeft--;
    introspect(client, token);
  }
  thinkUntil(deadlineMs, thinkSampleMs() - (Date.now() - startedMs));
}

export function handleSummary(): Record<string, string> {
  return {};
}
