import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { splitDockerStream } from "../../env/docker/exec-stream.ts";

/** A frame of Docker's multiplexed stream: type (1 stdout, 2 stderr), 3 zero bytes, payload size, payload. */
function frame(type: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("splitDockerStream", () => {
  it("passes every stdout and stderr byte on in order and waits for one drain at a time on a slow stdout", async () => {
    const payloads = Array.from({ length: 40 }, (_, i) => Buffer.alloc(100, i));
    // All forty frames in one chunk, into a stdout that is full after 16 bytes: each frame's write returns false.
    const input = Buffer.concat([...payloads.map((p) => frame(1, p)), frame(2, Buffer.from("said\n"))]);
    const received: Buffer[] = [];
    let mostDrainListeners = 0;
    const stdout = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        received.push(chunk);
        mostDrainListeners = Math.max(mostDrainListeners, stdout.listenerCount("drain"));
        setImmediate(done);
      },
    });
    const stderr = new PassThrough();
    const errChunks: Buffer[] = [];
    stderr.on("data", (c: Buffer) => errChunks.push(c));
    const stream = new PassThrough();
    splitDockerStream(stream, stdout, stderr);
    stream.end(input);
    await new Promise<void>((resolve) => stream.on("end", resolve));
    await new Promise<void>((resolve) => stdout.end(resolve));
    expect(Buffer.concat(received).equals(Buffer.concat(payloads))).toBe(true);
    expect(Buffer.concat(errChunks).toString()).toBe("said\n");
    expect(mostDrainListeners).toBeLessThanOrEqual(1);
  });
});
