import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { ensureEnvironment } from "../../env/bootstrap/ensure-environment.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { nodeBuildImages } from "../../env/images/images.ts";

/**
 * A node's `build` with the user's own Dockerfile (not named Dockerfile), a build arg and a target stage, as the
 * run builds it: the image carries what the arg and the stage put there, a second ensure builds nothing, and
 * changing a kept file or an arg rebuilds while a .dockerignore'd file does not. FROM debian:bookworm, no apt: fast.
 */
let context: string;
const lines: string[] = [];
const logger = createLogger("test", (line) => lines.push(line));
const made = new Set<string>();

beforeAll(async () => {
  await ensureEnvironment({ docker: true, baseImage: true }, logger);
  context = await mkdtemp(join(tmpdir(), "havoc-user-build-"));
  await mkdir(join(context, "docker"));
  await writeFile(
    join(context, "docker/service.Dockerfile"),
    "FROM debian:bookworm AS base\nARG GREETING=none\nLABEL greeting=$GREETING stage=base\nCOPY app.txt /app.txt\n\nFROM base AS final\nLABEL stage=final\n",
  );
  await writeFile(join(context, "app.txt"), "v1\n");
  await writeFile(join(context, "scratch.log"), "ignored\n");
  await writeFile(join(context, ".dockerignore"), "*.log\n");
}, 300_000);

afterAll(async () => {
  for (const tag of made) await dockerClient().getImage(tag).remove({ force: true }).catch(() => undefined);
  if (context) await rm(context, { recursive: true, force: true });
});

function specFor(args: Record<string, string>, image?: string) {
  const topology = Topology.parse({ nodes: [{ name: "svc", ...(image ? { image } : {}), build: { context, dockerfile: "docker/service.Dockerfile", args, target: "base" } }] });
  const [spec] = nodeBuildImages(topology.nodes);
  made.add(spec!.tag);
  return spec!;
}

async function labels(tag: string): Promise<Record<string, string>> {
  return (await dockerClient().getImage(tag).inspect()).Config.Labels ?? {};
}

const built = (tag: string) => lines.filter((l) => l.includes(`image ${tag}: building`)).length;

describe("a node image built from the user's Dockerfile", () => {
  it("builds the target stage with the args, then only again when a kept file or an arg changes", async () => {
    const hello = specFor({ GREETING: "hello" });
    expect(hello).toMatchObject({ contextDir: context, dockerfile: "docker/service.Dockerfile", buildArgs: { GREETING: "hello" }, target: "base" });
    await ensureImages([hello], logger);
    expect(await labels(hello.tag)).toMatchObject({ greeting: "hello", stage: "base" });
    expect(built(hello.tag)).toBe(1);

    await writeFile(join(context, "scratch.log"), "changed, but .dockerignore leaves it out\n");
    await ensureImages([hello], logger);
    expect(built(hello.tag)).toBe(1);
    expect(lines.some((l) => l.includes(`image ${hello.tag}: up to date`))).toBe(true);

    await writeFile(join(context, "app.txt"), "v2\n");
    await ensureImages([hello], logger);
    expect(built(hello.tag)).toBe(2);

    // Another arg is another build: a different derived tag, its own label.
    const bye = specFor({ GREETING: "bye" });
    expect(bye.tag).not.toBe(hello.tag);
    await ensureImages([bye], logger);
    expect(await labels(bye.tag)).toMatchObject({ greeting: "bye", stage: "base" });

    // A tag the scenario names keeps its name; changing an arg rebuilds it.
    const named = specFor({ GREETING: "one" }, "havoc-test/user-build:dev");
    await ensureImages([named], logger);
    await ensureImages([specFor({ GREETING: "two" }, "havoc-test/user-build:dev")], logger);
    expect(built("havoc-test/user-build:dev")).toBe(2);
    expect(await labels("havoc-test/user-build:dev")).toMatchObject({ greeting: "two" });
  }, 300_000);
});
