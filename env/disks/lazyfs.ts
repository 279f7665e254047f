import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import {
  clearReplySchema,
  ioErrorRuleSchema,
  ioLatencyRuleSchema,
  lossReplySchema,
  parseFields,
  parseOkReply,
  parseStats,
  ruleReplySchema,
  sendLazyFsCommand,
  type IoErrorRule,
  type IoLatencyRule,
  type LazyFsLoss,
  type LazyFsStats,
} from "./lazyfs-control.ts";
import { detachMount, isMounted } from "./lazyfs-mountinfo.ts";

export type { IoErrorRule, IoLatencyRule, IoOp, LazyFsLoss, LazyFsStats } from "./lazyfs-control.ts";
export { sweepLazyFsMounts } from "./lazyfs-mountinfo.ts";

/**
 * A lazyfs mount (env/go/lazyfs): a directory whose unfsynced writes can be lost on command, like a power cut, with
 * I/O error and latency rules. Needs root (the daemon calls mount(2)).
 */
export interface LazyFsMount {
  readonly mountDir: string;
  readonly backingDir: string;
  readonly pid: number;
  /** Discards every unfsynced write (data and sizes; names stay). */
  lose(): Promise<LazyFsLoss>;
  /** Flushes every file as fsync would. */
  sync(): Promise<LazyFsLoss>;
  stats(): Promise<LazyFsStats>;
  /** Adds an EIO rule; resolves with its id. */
  ioError(rule: IoErrorRule): Promise<number>;
  /** Adds a latency rule; resolves with its id. */
  ioLatency(rule: IoLatencyRule): Promise<number>;
  /** Removes every fault rule; resolves with how many there were. */
  clearFaults(): Promise<number>;
  /**
   * Stops the daemon (SIGTERM: unmounts and exits; unfsynced data is lost, as in a power cut) and makes sure nothing
   * is left mounted (`umount -l` otherwise). Succeeds when already unmounted or when the daemon is gone.
   */
  unmount(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const optionsSchema = z.object({
  binaryPath: z.string().min(1),
  backingDir: z.string().min(1),
  mountDir: z.string().min(1),
  controlSocket: z.string().min(1),
  seed: z.number().int().nonnegative().optional(),
  log: z.custom<(line: string) => void>((v) => typeof v === "function", "must be a function").optional(),
  startTimeoutMs: z.number().positive().optional(),
  /** Deadline of each control command (lose and sync get 6x: they fsync). */
  callTimeoutMs: z.number().positive().optional(),
  /** allow_other (default true): other users and containers bind-mounting the mount point may use it. */
  allowOther: z.boolean().optional(),
  /** FOPEN_DIRECT_IO instead of page-cache invalidation on loss (see env/go/lazyfs/README.md). */
  directIo: z.boolean().optional(),
  /** Pass extended attributes through (off by default: they cost every buffered write an extra round trip). */
  xattrs: z.boolean().optional(),
});

export interface LazyFsOptions {
  binaryPath: string;
  backingDir: string;
  mountDir: string;
  controlSocket: string;
  seed?: number;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  callTimeoutMs?: number;
  allowOther?: boolean;
  directIo?: boolean;
  xattrs?: boolean;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 8_000;
const KILL_TIMEOUT_MS = 3_000;
const READY_PREFIX = "lazyfs ready ";
const TAIL_LINES = 20;
const EXITED: unique symbol = Symbol("exited");

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Starts the daemon and resolves once the mount and its control socket are up. */
export async function mountLazyFs(options: LazyFsOptions): Promise<LazyFsMount> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`mountLazyFs options: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"}`);
  }
  const backingDir = resolve(options.backingDir);
  const mountDir = resolve(options.mountDir);
  const controlSocket = resolve(options.controlSocket);
  await mkdir(backingDir, { recursive: true });
  await mkdir(mountDir, { recursive: true });
  if (await isMounted(mountDir)) {
    throw new Error(`mountLazyFs: ${mountDir} is already a mount point (a lazyfs left by a killed process? sweepLazyFsMounts removes those)`);
  }
  const args = ["--backing", backingDir, "--mount", mountDir, "--control", controlSocket, "--seed", String(options.seed ?? 1)];
  if (options.allowOther ?? true) args.push("--allow-other");
  if (options.directIo) args.push("--direct-io");
  if (options.xattrs) args.push("--xattrs");

  const child = spawn(options.binaryPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const daemon = new Daemon(child, options.log);
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  try {
    await daemon.ready(startTimeoutMs, options.binaryPath);
  } catch (err) {
    await stop(daemon, mountDir, controlSocket).catch(() => undefined);
    throw err;
  }
  return new Mount(daemon, backingDir, mountDir, controlSocket, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
}

/** The daemon process: its output lines, its readiness and its exit. */
class Daemon {
  readonly tail: string[] = [];
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  #readyLine: ((line: string) => void) | undefined;

  constructor(
    readonly child: ChildProcess,
    log: ((line: string) => void) | undefined,
  ) {
    const onLine = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      log?.(line);
      if (line.startsWith(READY_PREFIX)) this.#readyLine?.(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on("line", onLine);
    this.exited = new Promise((done) => {
      child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        done(this.exit);
      });
      child.on("error", (err) => {
        onLine(`spawn error: ${err.message}`);
        this.exit = { code: null, signal: null };
        done(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  describeExit(): string {
    const how = this.exit?.signal ? `signal ${this.exit.signal}` : `code ${this.exit?.code ?? "?"}`;
    return `lazyfs daemon (pid ${this.pid}) exited with ${how}; its last lines: ${this.tail.join(" | ") || "(none)"}`;
  }

  ready(timeoutMs: number, binaryPath: string): Promise<void> {
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`lazyfs ${binaryPath} was not ready within ${timeoutMs} ms; its last lines: ${this.tail.join(" | ") || "(none)"}`)), timeoutMs);
      this.#readyLine = () => {
        clearTimeout(timer);
        resolveReady();
      };
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`lazyfs ${binaryPath} did not start: ${this.describeExit()}`));
      });
    });
  }

  /** Signals the daemon and waits for its exit; false when it did not exit within timeoutMs. */
  async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    if (this.exit) return true;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((done) => (timer = setTimeout(() => done(false), timeoutMs)));
    const result = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }
}

/** Stops the daemon politely, then by force, then detaches whatever is still mounted. */
async function stop(daemon: Daemon, mountDir: string, controlSocket: string): Promise<void> {
  if (!(await daemon.signal("SIGTERM", STOP_TIMEOUT_MS))) await daemon.signal("SIGKILL", KILL_TIMEOUT_MS);
  if (await isMounted(mountDir)) await detachMount(mountDir);
  await rm(controlSocket, { force: true });
  if (await isMounted(mountDir)) throw new Error(`lazyfs: ${mountDir} is still mounted after stopping the daemon and umount -l`);
}

class Mount implements LazyFsMount {
  #unmounting: Promise<void> | undefined;

  constructor(
    readonly daemon: Daemon,
    readonly backingDir: string,
    readonly mountDir: string,
    readonly controlSocket: string,
    readonly callTimeoutMs: number,
  ) {}

  get pid(): number {
    return this.daemon.pid;
  }

  /** One command, bounded by a deadline and by the daemon's exit (whichever comes first). */
  async #call(command: string, timeoutMs = this.callTimeoutMs): Promise<Record<string, string>> {
    if (this.#unmounting) throw new Error(`lazyfs "${command}": ${this.mountDir} is being unmounted`);
    if (this.daemon.exit) throw new Error(`lazyfs "${command}": ${this.daemon.describeExit()}`);
    const exited = this.daemon.exited.then((): typeof EXITED => EXITED);
    const reply = await Promise.race([sendLazyFsCommand(this.controlSocket, command, timeoutMs), exited]);
    if (reply === EXITED) throw new Error(`lazyfs "${command}": ${this.daemon.describeExit()}`);
    return parseOkReply(command, reply);
  }

  async lose(): Promise<LazyFsLoss> {
    return parseFields("lose", lossReplySchema, await this.#call("lose", this.callTimeoutMs * 6));
  }

  async sync(): Promise<LazyFsLoss> {
    return parseFields("sync", lossReplySchema, await this.#call("sync", this.callTimeoutMs * 6));
  }

  async stats(): Promise<LazyFsStats> {
    return parseStats(await this.#call("stats"));
  }

  async ioError(rule: IoErrorRule): Promise<number> {
    const r = parseRule("ioError", ioErrorRuleSchema, rule);
    const command = `eio ${r.op} ${r.percent} ${r.glob}`;
    return parseFields(command, ruleReplySchema, await this.#call(command)).rule;
  }

  async ioLatency(rule: IoLatencyRule): Promise<number> {
    const r = parseRule("ioLatency", ioLatencyRuleSchema, rule);
    const command = `latency ${r.latencyMs} ${r.op} ${r.glob}`;
    return parseFields(command, ruleReplySchema, await this.#call(command)).rule;
  }

  async clearFaults(): Promise<number> {
    return parseFields("clear", clearReplySchema, await this.#call("clear")).rules;
  }

  unmount(): Promise<void> {
    this.#unmounting ??= stop(this.daemon, this.mountDir, this.controlSocket);
    return this.#unmounting;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.unmount();
  }
}

function parseRule<T extends z.ZodTypeAny>(what: string, schema: T, rule: unknown): z.infer<T> {
  const parsed = schema.safeParse(rule);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`lazyfs ${what} rule: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"} (got ${JSON.stringify(rule)})`);
  }
  return parsed.data;
}
