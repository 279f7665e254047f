import { describe, expect, it } from "vitest";
import { freePort, freePorts } from "../../env/free-port.ts";

/** A kernel that offers the given ports in order (the real one may offer a just-closed port again). */
function offering(...ports: number[]): () => Promise<number> {
  let i = 0;
  return async () => ports[i++ % ports.length]!;
}

describe("free ports", () => {
  it("never hands out a port twice within a process, even when the kernel offers it again", async () => {
    const first = await freePorts(2, offering(61001, 61001, 61002));
    expect(first).toEqual([61001, 61002]);
    // A later call (another node of the same run) is offered the same ports first and skips them.
    expect(await freePort(offering(61001, 61002, 61003))).toBe(61003);
  });

  it("frees its reservation after 30 min, and says so when only reserved ports come", async () => {
    const now = Date.now();
    expect(await freePort(offering(61010), now)).toBe(61010);
    await expect(freePort(offering(61010), now + 60_000)).rejects.toThrow(/no free port: the kernel offered only ports this process handed out/);
    expect(await freePort(offering(61010), now + 31 * 60_000)).toBe(61010);
  });

  it("draws real ports from the kernel: distinct, bindable numbers", async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) expect(p).toBeGreaterThan(1023);
  });
});
