import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { followFileLines, type FileLines } from "../../load/file-lines.ts";

const dirs: string[] = [];
const open: FileLines[] = [];
afterEach(() => {
  for (const f of open.splice(0)) f.finish();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A file path in a fresh directory and a follower of it; the tick is an hour so the test drives every read. */
function follow(chunkBytes?: number) {
  const dir = mkdtempSync(join(tmpdir(), "havoc-file-lines-"));
  dirs.push(dir);
  const path = join(dir, "console.txt");
  const lines: string[] = [];
  const follower = followFileLines(path, (line) => lines.push(line), { intervalMs: 3_600_000, ...(chunkBytes ? { chunkBytes } : {}) });
  open.push(follower);
  return { path, lines, follower };
}

describe("followFileLines", () => {
  it("waits for the file to appear, then hands over complete lines only, in order", () => {
    const { path, lines, follower } = follow();
    follower.readNow(); // not created yet: nothing, no error
    writeFileSync(path, "one\ntwo\nthr");
    follower.readNow();
    expect(lines).toEqual(["one", "two"]);
    appendFileSync(path, "ee\n\nfour\n");
    follower.readNow();
    expect(lines).toEqual(["one", "two", "three", "", "four"]);
    expect(follower.lines).toBe(5);
  });

  it("hands over a last line without its newline at finish, and reads nothing after", () => {
    const { path, lines, follower } = follow();
    writeFileSync(path, "a\nb");
    follower.finish();
    expect(lines).toEqual(["a", "b"]);
    appendFileSync(path, "\nc\n");
    follower.readNow();
    follower.finish();
    expect(lines).toEqual(["a", "b"]);
  });

  it("keeps multi-byte characters and lines longer than a chunk whole", () => {
    const { path, lines, follower } = follow(8);
    const long = "x".repeat(50);
    const text = `ünï\tcødé ✓\n${long}\n✓✓✓✓✓\n`;
    // Written a few bytes at a time, so chunk and write boundaries fall inside characters and lines.
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; at += 3) {
      appendFileSync(path, bytes.subarray(at, at + 3));
      follower.readNow();
    }
    follower.finish();
    expect(lines).toEqual(["ünï\tcødé ✓", long, "✓✓✓✓✓"]);
  });

  it("reads on its own tick while the file grows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "havoc-file-lines-"));
    dirs.push(dir);
    const path = join(dir, "console.txt");
    const lines: string[] = [];
    const follower = followFileLines(path, (line) => lines.push(line), { intervalMs: 10 });
    open.push(follower);
    writeFileSync(path, "tick\n");
    const deadline = Date.now() + 5_000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(lines).toEqual(["tick"]);
  });

  it("reports a consumer's error from finish()", async () => {
    const dir = mkdtempSync(join(tmpdir(), "havoc-file-lines-"));
    dirs.push(dir);
    const path = join(dir, "console.txt");
    writeFileSync(path, "boom\n");
    let calls = 0;
    const follower = followFileLines(
      path,
      () => {
        calls++;
        throw new Error("consumer bug");
      },
      { intervalMs: 5 },
    );
    const deadline = Date.now() + 5_000;
    while (calls === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(() => follower.finish()).toThrow(/consumer bug/);
  });
});
