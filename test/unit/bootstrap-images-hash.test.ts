import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { contextHash, hashFiles } from "../../env/bootstrap/images.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `files` into a fresh temp dir in the given order (creation order must not matter). */
async function contextWith(files: [string, string][]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-hash-test-"));
  dirs.push(dir);
  for (const [path, content] of files) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const files: [string, string][] = [
  ["Dockerfile", "FROM debian:bookworm\nCOPY app /app\n"],
  ["app/main.js", "console.log('hi')\n"],
  ["app/conf/a.yml", "a: 1\n"],
];

describe("image context hash", () => {
  it("is the same for the same files", async () => {
    expect(await contextHash(await contextWith(files))).toBe(await contextHash(await contextWith(files)));
  });

  it("changes when one byte changes", async () => {
    const changed = files.map(([path, content]): [string, string] => [path, path === "app/main.js" ? content.replace("hi", "ho") : content]);
    expect(await contextHash(await contextWith(changed))).not.toBe(await contextHash(await contextWith(files)));
  });

  it("does not depend on file order", async () => {
    expect(await contextHash(await contextWith([...files].reverse()))).toBe(await contextHash(await contextWith(files)));
    const entries = files.map(([path, content]) => ({ path, content: Buffer.from(content) }));
    expect(hashFiles([...entries].reverse())).toBe(hashFiles(entries));
  });

  it("changes when a file is renamed or made executable", async () => {
    const base = await contextHash(await contextWith(files));
    const renamed = files.map(([path, content]): [string, string] => [path === "app/conf/a.yml" ? "app/conf/b.yml" : path, content]);
    expect(await contextHash(await contextWith(renamed))).not.toBe(base);
    const dir = await contextWith(files);
    await chmod(join(dir, "app/main.js"), 0o755);
    expect(await contextHash(dir)).not.toBe(base);
  });

  it("cannot be fooled by moving bytes between a path and its content", () => {
    const a = hashFiles([{ path: "ab", content: Buffer.from("c") }]);
    const b = hashFiles([{ path: "a", content: Buffer.from("bc") }]);
    expect(a).not.toBe(b);
  });
});
