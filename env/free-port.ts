import { createServer } from "node:net";

/** How long a port handed out stays reserved in this process (ms): longer than any run holds its ports. */
const RESERVED_FOR_MS = 30 * 60_000;
/** Kernel draws before giving up; a collision with a reserved port is rare, dozens in a row are a broken machine. */
const MAX_DRAWS = 200;

/** Ports this process has handed out, with when: the kernel may hand a closed probe's port out again at once. */
const handedOut = new Map<number, number>();

/** A port the kernel says is free right now, on 127.0.0.1 (bound and closed again). */
export function kernelFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1, chosen by the kernel and not handed out by this process in the last 30 min. Fixed
 * host ports (not Docker's "0") are used because Docker re-allocates "0" bindings after kill+start, which would make a
 * published port go stale mid-run. The reservation matters because the probe closes its port before Docker binds it:
 * a later probe in the same run (another node, toxiproxy, k6) could otherwise be given the same port, and the second
 * container then fails to start with "port is already allocated" (seen once in a bench's run 2 of 5).
 */
export async function freePort(draw: () => Promise<number> = kernelFreePort, nowMs: number = Date.now()): Promise<number> {
  for (const [port, at] of handedOut) if (nowMs - at > RESERVED_FOR_MS) handedOut.delete(port);
  for (let i = 0; i < MAX_DRAWS; i++) {
    const port = await draw();
    if (handedOut.has(port)) continue;
    handedOut.set(port, nowMs);
    return port;
  }
  throw new Error(`no free port: the kernel offered only ports this process handed out in the last ${RESERVED_FOR_MS / 60_000} min (${MAX_DRAWS} tries)`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number, draw?: () => Promise<number>): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort(draw));
  return ports;
}
