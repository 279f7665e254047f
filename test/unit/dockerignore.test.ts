import { describe, expect, it } from "vitest";
import { isIgnored, parseDockerignore } from "../../env/bootstrap/dockerignore.ts";
import { hashFiles } from "../../env/bootstrap/images.ts";

describe(".dockerignore as Docker reads it", () => {
  const rules = parseDockerignore("# comment\n\nnode_modules\n/dist/\n*.log\n**/*.tmp\ndocs/**\n!docs/keep.md\n.git\n");

  it("leaves out what the patterns match, folders with everything under them", () => {
    for (const path of ["node_modules", "node_modules/pg/index.js", "dist/a.js", "x.log", "a/b/c.tmp", "c.tmp", "docs/a.md", ".git/HEAD"]) expect(isIgnored(rules, path), path).toBe(true);
    for (const path of ["src/app.py", "sub/x.log", "Dockerfile", "docs/keep.md", "distant/a.js"]) expect(isIgnored(rules, path), path).toBe(false);
  });

  it("lets the last matching line win, so '!' brings files back", () => {
    const keepOnly = parseDockerignore("*\n!Dockerfile\n!server.py\n");
    expect(isIgnored(keepOnly, "server.py")).toBe(false);
    expect(isIgnored(keepOnly, "Dockerfile")).toBe(false);
    expect(isIgnored(keepOnly, "notes.txt")).toBe(true);
    expect(isIgnored(keepOnly, "tests/test_server.py")).toBe(true);
  });

  it("hashes differently when a kept file changes and the same when only an ignored one would", () => {
    const kept = [{ path: "server.py", content: Buffer.from("a") }];
    expect(hashFiles(kept)).not.toBe(hashFiles([{ path: "server.py", content: Buffer.from("b") }]));
    expect(hashFiles(kept)).toBe(hashFiles([...kept]));
  });
});
