import { createConnection } from "node:net";
import { z } from "zod";

/**
 * The lazyfs daemon's control socket (env/go/lazyfs/README.md): one command line, one reply line, `ok ...` or
 * `error <why>`.
 */
export class LazyFsCommandError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = "LazyFsCommandError";
  }
}

/** Sends one command and resolves with the reply line (without "\n"); rejects past `timeoutMs` or on a socket error. */
export function sendLazyFsCommand(socketPath: string, command: string, timeoutMs: number): Promise<string> {
  if (command.includes("\n")) {
    return Promise.reject(new LazyFsCommandError(command, `lazyfs command ${JSON.stringify(command)} has a newline: one command is one line`));
  }
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = "";
    const finish = (err: Error | undefined, reply?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply ?? "");
    };
    const timer = setTimeout(
      () => finish(new LazyFsCommandError(command, `lazyfs command "${command}" on ${socketPath}: no reply within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(command + "\n"));
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf("\n");
      if (end >= 0) finish(undefined, buffered.slice(0, end));
    });
    socket.on("error", (err) => finish(new LazyFsCommandError(command, `lazyfs command "${command}" on ${socketPath}: ${err.message}`)));
    socket.on("close", () => finish(new LazyFsCommandError(command, `lazyfs command "${command}" on ${socketPath}: connection closed before a reply`)));
  });
}

/** Parses `ok k=v k=v ...` into its fields; an `error` reply (or anything else) throws with the daemon's reason. */
export function parseOkReply(command: string, reply: string): Record<string, string> {
  if (reply.startsWith("error")) {
    throw new LazyFsCommandError(command, `lazyfs refused "${command}": ${reply.slice("error".length).trim()}`);
  }
  if (reply !== "ok" && !reply.startsWith("ok ")) {
    throw new LazyFsCommandError(command, `lazyfs answered "${command}" with ${JSON.stringify(reply)}; expected a line starting with "ok" or "error"`);
  }
  const fields: Record<string, string> = {};
  for (const token of reply.slice(2).trim().split(/\s+/).filter(Boolean)) {
    const eq = token.indexOf("=");
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return fields;
}

const count = z.coerce.number().int().nonnegative();

export const lossReplySchema = z.object({ bytes: count, files: count });
export type LazyFsLoss = z.infer<typeof lossReplySchema>;

const statsReplySchema = z.object({
  dirty_bytes: count,
  dirty_files: count,
  fsyncs: count,
  ops: count,
  lost_bytes: count,
  lost_files: count,
  synced_bytes: count,
  synced_files: count,
  eio_injected: count,
  delays_injected: count,
  rules: count,
});

/** Counters since the daemon started (see the `stats` command). */
export interface LazyFsStats {
  dirtyBytes: number;
  dirtyFiles: number;
  fsyncs: number;
  /** FUSE calls lazyfs's own code served. */
  ops: number;
  lostBytes: number;
  lostFiles: number;
  syncedBytes: number;
  syncedFiles: number;
  eioInjected: number;
  delaysInjected: number;
  rules: number;
}

export function parseStats(fields: Record<string, string>): LazyFsStats {
  const s = parseFields("stats", statsReplySchema, fields);
  return {
    dirtyBytes: s.dirty_bytes,
    dirtyFiles: s.dirty_files,
    fsyncs: s.fsyncs,
    ops: s.ops,
    lostBytes: s.lost_bytes,
    lostFiles: s.lost_files,
    syncedBytes: s.synced_bytes,
    syncedFiles: s.synced_files,
    eioInjected: s.eio_injected,
    delaysInjected: s.delays_injected,
    rules: s.rules,
  };
}

export function parseFields<T extends z.ZodTypeAny>(command: string, schema: T, fields: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LazyFsCommandError(command, `lazyfs reply to "${command}": field ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"} (reply fields ${JSON.stringify(fields)})`);
  }
  return parsed.data;
}

export const ioOpSchema = z.enum(["read", "write", "fsync", "all"]);
export type IoOp = z.infer<typeof ioOpSchema>;

/** Globs are relative to the mount: `*` within a path segment, `**` across segments, `?` one character. */
const globSchema = z
  .string()
  .min(1)
  .regex(/^[^\s/][^\s]*$/, "must be relative to the mount and contain no whitespace");

export const ioErrorRuleSchema = z.object({
  op: ioOpSchema,
  /** Share of matching calls that fail with EIO, 0 to 100. */
  percent: z.number().min(0).max(100),
  glob: globSchema,
});
export type IoErrorRule = z.infer<typeof ioErrorRuleSchema>;

export const ioLatencyRuleSchema = z.object({
  op: ioOpSchema,
  /** Added before every matching call. */
  latencyMs: z.number().positive().max(3_600_000),
  glob: globSchema,
});
export type IoLatencyRule = z.infer<typeof ioLatencyRuleSchema>;

export const ruleReplySchema = z.object({ rule: count });
export const clearReplySchema = z.object({ rules: count });
