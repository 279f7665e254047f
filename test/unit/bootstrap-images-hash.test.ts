import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { contextHash, hashFiles, imageSpecHash } from "../../env/bootstrap/images.ts";

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

  it("of an image with default build options is its plain context hash (havoc's own images keep their labels)", async () => {
    const dir = await contextWith([["Dockerfile", "FROM debian:bookworm\n"], ["a.txt", "a"]]);
    expect(await imageSpecHash({ tag: "t", contextDir: dir })).toBe(await contextHash(dir));
  });

  it("changes with the Dockerfile path, an arg or the target, and not with a .dockerignore'd file", async () => {
    const dir = await contextWith([["Dockerfile", "FROM debian:bookworm\n"], ["other.Dockerfile", "FROM debian:bookworm\n"], ["a.txt", "a"], [".dockerignore", "*.log\n"]]);
    const plain = await imageSpecHash({ tag: "t", contextDir: dir });
    const hashes = await Promise.all([
      imageSpecHash({ tag: "t", contextDir: dir, dockerfile: "other.Dockerfile" }),
      imageSpecHash({ tag: "t", contextDir: dir, buildArgs: { A: "1" } }),
      imageSpecHash({ tag: "t", contextDir: dir, buildArgs: { A: "2" } }),
      imageSpecHash({ tag: "t", contextDir: dir, target: "base" }),
    ]);
    expect(new Set([plain, ...hashes]).size).toBe(5);
    await writeFile(join(dir, "debug.log"), "noise");
    expect(await imageSpecHash({ tag: "t", contextDir: dir })).toBe(plain);
    await writeFile(join(dir, "a.txt"), "b");
    expect(await imageSpecHash({ tag: "t", contextDir: dir })).not.toBe(plain);
  });
});
