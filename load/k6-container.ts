import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { createInterface } from "node:readline";
import type Dockerode from "dockerode";
import { errorMessage } from "../core/errors.ts";
import type { OpRecord } from "../core/history.ts";
import type { Logger } from "../core/log.ts";
import type { Engine } from "../env/docker/engines.ts";
import { runLabels } from "../env/docker/labels.ts";
import { fileFromTar, tarOneFile } from "../env/docker/tar.ts";
import { urlHost } from "../env/topology/ready-probe.ts";
import { K6OutputReader, pollDroppedIterations, summaryCounts } from "./k6-output.ts";
import type { K6Handle, K6Result } from "./k6-process.ts";

/** Label naming the generator a container is ("<host>-<i>"), beside the run labels the sweep removes it by. */
export const GENERATOR_LABEL = "havoc.generator";
/** Where the script and the summary live inside the container (created by the image, env/images/k6). */
const WORKDIR = "/havoc";
/** k6's REST API port inside the container, published on the host's bind address at a port the engine picks. */
const API_PORT = 6565;
/** The safety net stops a generator this long after its scenario duration + gracefulStop. */
const SAFETY_MARGIN_MS = 30_000;

export interface K6ContainerOptions {
  /** The engine of the generator's host. */
  engine: Engine;
  /** The k6 image's reference on that engine (an image id on a remote one). */
  image: string;
  runId: string;
  containerName: string;
  /** The run's Docker networks it joins (the first at creation): its targets are reached there by node name. */
  networks: readonly string[];
  /** The bundled script on this machine; copied into the container before it starts. */
  scriptPath: string;
  /** The class: op lines are recorded under it. */
  traffic: string;
  /** "<host>-<i>": recorded on every op, and in the container's label. */
  generator: string;
  /** Distinct per generator ("devices.east-2"): names the summary file in the run directory. */
  label: string;
  runDir: string;
  /** Script environment (values never logged). */
  env: Record<string, string>;
  durationMs: number;
  gracefulStopMs: number;
  /** SIGTERM -> SIGKILL deadline of stop(). Default 10 s. */
  killAfterMs?: number;
  onOp(op: OpRecord): void;
  onLog(line: string): void;
  onDropped?(epochMs: number, count: number): void;
  logger: Logger;
}

/** The create request of a generator container (pure, so what it asks of the engine can be read and tested). */
export function k6ContainerCreateOptions(options: Pick<K6ContainerOptions, "engine" | "image" | "runId" | "containerName" | "networks" | "traffic" | "generator" | "env">): Dockerode.ContainerCreateOptions {
  const [network] = options.networks;
  if (network === undefined) throw new Error(`generator ${options.generator} of ${options.traffic}: no network to join`);
  // Minimal environment, as for a k6 process here: no usage report (traffic rule), no extension download.
  const env = { HOME: "/tmp", K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false", ...options.env };
  return {
    name: options.containerName,
    Image: options.image,
    Cmd: ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", `--address=0.0.0.0:${API_PORT}`, `--summary-export=${WORKDIR}/summary.json`, `${WORKDIR}/script.js`],
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: runLabels(options.runId, { [GENERATOR_LABEL]: options.generator }),
    ExposedPorts: { [`${API_PORT}/tcp`]: {} },
    HostConfig: { NetworkMode: network, PortBindings: { [`${API_PORT}/tcp`]: [{ HostIp: options.engine.bindIp, HostPort: "" }] } },
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
  };
}

/**
 * Runs one execution segment of a class as a k6 container on a chosen host's engine: the bundled script is copied in,
 * the output attached before the start (so no op line is missed) and read like a local k6 process's, the dropped
 * iterations polled on its REST API (published on that host), its summary copied out at the end. The container is
 * removed after; one left by a killed harness carries the run labels, so the sweep removes it.
 */
export function startK6Container(options: K6ContainerOptions): K6Handle {
  const { engine, logger } = options;
  const summaryPath = join(options.runDir, `k6-${options.label}-summary.json`);
  let container: Dockerode.Container | undefined;
  let running = false;
  let stopRequested = false;
  let stopping: Promise<void> | undefined;
  let killedBySafetyNet = false;
  const startedMs = Date.now();
  // docker stop: SIGTERM (k6 ends gracefully and still writes its summary), SIGKILL after the deadline. Once.
  const stopContainer = (c: Dockerode.Container) =>
    (stopping ??= c
      .stop({ t: Math.ceil((options.killAfterMs ?? 10_000) / 1000) })
      .then(() => undefined)
      .catch(() => undefined));
  // Before the start, the request is kept and applied as soon as the container runs.
  const stop = async (): Promise<void> => {
    stopRequested = true;
    if (container && running) await stopContainer(container);
  };
  const reader = new K6OutputReader(options.traffic, options.onOp, options.onLog, () => void stop(), options.generator);
  let safetyTimer: NodeJS.Timeout | undefined;
  const done = (async (): Promise<K6Result> => {
    const where = engine.local ? "this machine" : `host ${engine.name}`;
    logger.info(`starting k6 generator ${options.generator} of traffic ${options.traffic} on ${where} (env ${Object.keys(options.env).join(",")})`);
    container = await engine.docker.createContainer(k6ContainerCreateOptions(options));
    for (const network of options.networks.slice(1)) await engine.docker.getNetwork(network).connect({ Container: container.id });
    await container.putArchive(tarOneFile("script.js", await readFile(options.scriptPath)), { path: WORKDIR });
    const output = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    const streamsClosed = demuxLines(engine.docker, output, (line) => reader.line(line));
    await container.start();
    running = true;
    if (stopRequested) void stopContainer(container);
    const published = (await container.inspect()).NetworkSettings.Ports?.[`${API_PORT}/tcp`]?.[0]?.HostPort;
    const dropped = published && options.onDropped ? pollDroppedIterations(`http://${urlHost(engine.address)}:${published}`, options.onDropped) : undefined;
    const safetyNetMs = options.durationMs + options.gracefulStopMs + SAFETY_MARGIN_MS;
    safetyTimer = setTimeout(() => {
      killedBySafetyNet = true;
      logger.warn(`k6 generator ${options.generator} of traffic ${options.traffic} still running ${safetyNetMs} ms after start: stopping it`);
      void stop();
    }, safetyNetMs);
    const waited = (await container.wait()) as { StatusCode?: number };
    running = false;
    const exitedAtEpochMs = Date.now();
    const polledDropped = await dropped?.stop();
    await streamsClosed;
    if (reader.callbackError !== undefined) throw reader.callbackError;
    const summary = await copySummaryOut(container).catch((error: unknown) => {
      logger.warn(`k6 generator ${options.generator}: no summary (${errorMessage(error)})`);
      return undefined;
    });
    if (summary !== undefined) await writeFile(summaryPath, summary);
    const counts = summaryCounts(summary);
    const missed = (counts.droppedIterations ?? 0) - (polledDropped ?? 0);
    if (options.onDropped && missed > 0) options.onDropped(Date.now(), missed);
    const exitCode = waited.StatusCode ?? null;
    logger.info(`k6 generator ${options.generator} of traffic ${options.traffic} exited (code ${exitCode}) after ${Date.now() - startedMs} ms, ${reader.opLines} op lines`);
    await container.remove({ force: true }).catch(() => undefined);
    const { opLines, badOpLines, requestFailedLines } = reader;
    return { exitCode, signal: null, ...counts, opLines, badOpLines, requestFailedLines, killedBySafetyNet, summaryPath, exitedAtEpochMs, generator: options.generator };
  })().finally(() => clearTimeout(safetyTimer));
  // The caller may only ever call stop(); keep a start failure from becoming an unhandled rejection there.
  done.catch(() => undefined);
  return { pid: undefined, done, stop };
}

/** Splits Docker's multiplexed attach stream into stdout and stderr and reads each line by line (k6 writes to both). */
function demuxLines(docker: Dockerode, stream: Readable, onLine: (line: string) => void): Promise<void> {
  const out = new PassThrough();
  const err = new PassThrough();
  docker.modem.demuxStream(stream, out, err);
  stream.on("end", () => {
    out.end();
    err.end();
  });
  stream.on("error", () => {
    out.end();
    err.end();
  });
  return Promise.all(
    [out, err].map((s) => {
      const lines = createInterface({ input: s, crlfDelay: Infinity });
      lines.on("line", onLine);
      return new Promise<void>((resolve) => lines.once("close", resolve));
    }),
  ).then(() => undefined);
}

/** The summary k6 exported inside the container, as text (GET /containers/<id>/archive gives a tar). */
async function copySummaryOut(container: Dockerode.Container): Promise<string | undefined> {
  const archive = (await container.getArchive({ path: `${WORKDIR}/summary.json` })) as unknown as Readable;
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return fileFromTar(Buffer.concat(chunks), "summary.json")?.toString("utf8");
}
