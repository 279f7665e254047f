import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { rm } from "node:fs/promises";

/**
 * A proxy on a unix socket in front of the real Docker socket, for the harness's own fault tests: the harness is
 * pointed at it as a user points it at another engine (DOCKER_HOST=unix://<path>), the real engine serves every
 * call, except the ones a rule picks, which the proxy fails (HTTP 500 with a Docker-style JSON message, the shape
 * the engine answers a refused call with) or stalls (the request is held open, never answered). Not a mock: the
 * engine does everything else for real, so a test sees the harness's handling of one broken call in a real run.
 */
export interface EngineFaultRule {
  /** HTTP method the rule matches ("POST", "GET", "DELETE"). */
  method: string;
  /** Matched against the request path without the API version prefix or the query, e.g. /^\/containers\/create$/. */
  path: RegExp;
  action: "fail" | "stall";
  /** Only the nth matching call (1-based) is faulted; default: every matching call. */
  nth?: number;
}

/** One call as the proxy saw it, for the test's record and for finding which calls a run makes. */
export interface ProxiedCall {
  atEpochMs: number;
  method: string;
  /** Path without the version prefix and the query. */
  path: string;
  /** What the proxy did: "pass", "fail" or "stall". */
  done: "pass" | "fail" | "stall";
}

export interface DockerSocketProxy {
  /** The proxy's socket: give the harness DOCKER_HOST=unix://<socketPath>. */
  readonly socketPath: string;
  readonly dockerHost: string;
  /** Calls seen so far, oldest first. */
  readonly calls: readonly ProxiedCall[];
  /** Replaces the rules (counts for `nth` start again); `onFault` hears of every call a rule faults, as it happens. */
  setRules(rules: readonly EngineFaultRule[], onFault?: (call: ProxiedCall) => void): void;
  /** How many calls a rule has faulted so far, by index in the current rules. */
  faulted(index: number): number;
  /** Stops listening, releases every stalled request and closes every proxied connection. */
  close(): Promise<void>;
}

/** The API path without /v1.41 and without the query: what rules match against. */
export function apiPath(url: string): string {
  return (url.split("?")[0] ?? "").replace(/^\/v\d+\.\d+/, "");
}

export async function startDockerSocketProxy(options: { socketPath: string; upstream?: string }): Promise<DockerSocketProxy> {
  const upstream = options.upstream ?? "/var/run/docker.sock";
  let rules: readonly EngineFaultRule[] = [];
  let onFault: ((call: ProxiedCall) => void) | undefined;
  const record = (call: ProxiedCall) => {
    calls.push(call);
    if (call.done !== "pass") onFault?.(call);
  };
  let seen: number[] = [];
  let hits: number[] = [];
  const calls: ProxiedCall[] = [];
  const open = new Set<Socket>();
  const stalled = new Set<ServerResponse | Socket>();

  /** The rule this call falls under (counting it), or undefined to pass it through. */
  const decide = (method: string, path: string): EngineFaultRule | undefined => {
    for (const [i, rule] of rules.entries()) {
      if (rule.method !== method || !rule.path.test(path)) continue;
      seen[i] = (seen[i] ?? 0) + 1;
      if (rule.nth !== undefined && rule.nth !== seen[i]) continue;
      hits[i] = (hits[i] ?? 0) + 1;
      return rule;
    }
    return undefined;
  };

  const failBody = (_method: string, _path: string) => JSON.stringify({ message: "injected engine failure (the test's Docker socket proxy)" });

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = apiPath(req.url ?? "/");
    const rule = decide(req.method ?? "GET", path);
    record({ atEpochMs: Date.now(), method: req.method ?? "GET", path, done: rule?.action ?? "pass" });
    if (rule?.action === "fail") {
      req.resume();
      const body = failBody(req.method ?? "GET", path);
      res.writeHead(500, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (rule?.action === "stall") {
      // Read the body (so the client's write completes) and answer nothing: the call hangs until the client gives up.
      req.resume();
      stalled.add(res);
      res.on("close", () => stalled.delete(res));
      return;
    }
    const forward = request({ socketPath: upstream, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // Streams (events, logs) flush as they come.
      res.flushHeaders();
      answer.pipe(res);
    });
    forward.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ message: `proxy: upstream ${upstream}: ${error.message}` }));
    });
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  // Hijacked calls (exec start, attach): Connection: Upgrade. Passed through as raw bytes after the request head.
  server.on("upgrade", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const path = apiPath(req.url ?? "/");
    const rule = decide(req.method ?? "GET", path);
    record({ atEpochMs: Date.now(), method: req.method ?? "GET", path, done: rule?.action ?? "pass" });
    if (rule?.action === "fail") {
      const body = failBody(req.method ?? "GET", path);
      client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    if (rule?.action === "stall") {
      stalled.add(client);
      client.on("close", () => stalled.delete(client));
      client.on("error", () => undefined);
      return;
    }
    const engine = connect(upstream);
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    engine.write(lines.join("\r\n") + "\r\n\r\n");
    if (head.length > 0) engine.write(head);
    engine.pipe(client);
    client.pipe(engine);
    engine.on("error", () => client.destroy());
    client.on("error", () => engine.destroy());
    engine.on("close", () => client.destroy());
    client.on("close", () => engine.destroy());
  });
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.socketPath, () => resolve());
  });
  return {
    socketPath: options.socketPath,
    dockerHost: `unix://${options.socketPath}`,
    calls,
    setRules(next, heard) {
      rules = [...next];
      onFault = heard;
      seen = [];
      hits = [];
    },
    faulted: (index) => hits[index] ?? 0,
    async close() {
      for (const s of stalled) s.destroy();
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(options.socketPath, { force: true });
    },
  };
}
