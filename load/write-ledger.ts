import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { finished } from "node:stream/promises";
import { z } from "zod";
import type { OpRecord } from "../core/history.ts";

/**
 * Every write attempt with an id (acknowledged, failed or unknown), as NDJSON (ledger.ndjson in the run
 * directory), written as the run goes so a killed run still leaves a record, and readable again to re-run checks
 * on a saved run. Failed ids are kept so that a write the system refused yet stored is told apart from one that
 * was never sent.
 */
export const LedgerLine = z.object({
  id: z.string(),
  traffic: z.string(),
  outcome: z.enum(["ok", "unknown", "fail"]),
  cause: z.string(),
  /** Start of the attempt, ms from traffic start. */
  atMs: z.number(),
  /** How long the attempt took, ms (its answer came at atMs + durationMs). Absent in ledgers written before it was. */
  durationMs: z.number().optional(),
  node: z.string().optional(),
  /** The load generator that sent it ("<host>-<i>"), for a class with `generators`. */
  generator: z.string().optional(),
});
export type LedgerLine = z.infer<typeof LedgerLine>;

export interface LedgerSets {
  /** Ids with at least one acknowledged attempt, in order of first acknowledgement. */
  acknowledged: string[];
  /** Ids never acknowledged with at least one unknown attempt (an id acknowledged by a retry is not listed). */
  unknown: string[];
  /** Ids whose every attempt failed definitely (the system said no). */
  failed: string[];
}

/** The strongest thing known of an id so far: acknowledged beats unknown beats failed. */
const FAILED = 0;
const UNKNOWN = 1;
const ACKNOWLEDGED = 2;
type IdState = typeof FAILED | typeof UNKNOWN | typeof ACKNOWLEDGED;
const STATE: Record<LedgerLine["outcome"], IdState> = { fail: FAILED, unknown: UNKNOWN, ok: ACKNOWLEDGED };

/** Per traffic class: id -> strongest outcome seen. Map keeps first-seen order. */
class SetsBuilder {
  private readonly byTraffic = new Map<string, Map<string, IdState>>();
  /** Per traffic class: id -> when its first acknowledgement was answered (ms from traffic start). */
  private readonly ackedAt = new Map<string, Map<string, number>>();

  add(traffic: string, id: string, outcome: LedgerLine["outcome"], answeredAtMs?: number): void {
    let ids = this.byTraffic.get(traffic);
    if (ids === undefined) {
      ids = new Map();
      this.byTraffic.set(traffic, ids);
    }
    const state = STATE[outcome];
    const before = ids.get(id);
    // Once acknowledged, always acknowledged: a later unknown or failed retry does not undo the first ack.
    if (before !== undefined && before >= state) return;
    if (state === ACKNOWLEDGED) ids.delete(id); // re-insert so acknowledged keeps the order of first acknowledgement
    ids.set(id, state);
    if (state === ACKNOWLEDGED && answeredAtMs !== undefined) {
      let times = this.ackedAt.get(traffic);
      if (times === undefined) this.ackedAt.set(traffic, (times = new Map()));
      times.set(id, answeredAtMs);
    }
  }

  traffics(): string[] {
    return [...this.byTraffic.keys()];
  }

  sets(traffic: string): LedgerSets {
    const byState: [string[], string[], string[]] = [[], [], []];
    for (const [id, state] of this.byTraffic.get(traffic) ?? []) byState[state].push(id);
    const [failed, unknown, acknowledged] = byState;
    return { acknowledged, unknown, failed };
  }

  /**
   * When each of `sets(traffic).acknowledged` was first acknowledged (its answer), ms from traffic start, same
   * order; null where a line carried no duration (a ledger written before durations were).
   */
  acknowledgedAtMs(traffic: string): (number | null)[] {
    const times = this.ackedAt.get(traffic);
    return this.sets(traffic).acknowledged.map((id) => times?.get(id) ?? null);
  }
}

export class WriteLedger {
  private readonly stream: WriteStream;
  private readonly builder = new SetsBuilder();
  private readonly failedByTraffic = new Map<string, number>();
  private writeError: Error | undefined;
  private closing: Promise<void> | undefined;
  private withoutIdCount = 0;

  /** Opens (appends to) the NDJSON file at `path`. */
  constructor(
    readonly path: string,
    private readonly trafficStartEpochMs: number,
    /** Told the first write failure at once (a full disk), so the run can end as the harness's error. */
    private readonly onWriteFailed: (error: Error) => void = () => undefined,
  ) {
    this.stream = createWriteStream(path, { flags: "a" });
    // Remember the error and report it from close(): an unhandled 'error' event would crash the run.
    this.stream.on("error", (error) => {
      if (this.writeError === undefined) this.onWriteFailed(error);
      this.writeError ??= error;
    });
  }

  /** Write ops that carried no id (cannot be checked; a script bug if non-zero). */
  get writesWithoutId(): number {
    return this.withoutIdCount;
  }

  /** Records one attempt; reads are ignored. */
  add(op: OpRecord): void {
    if (op.op !== "write") return;
    if (this.closing) throw new Error(`WriteLedger.add() after close(): ${this.path}`);
    if (op.outcome === "fail") this.failedByTraffic.set(op.traffic, (this.failedByTraffic.get(op.traffic) ?? 0) + 1);
    if (op.id === undefined) {
      this.withoutIdCount++;
      return;
    }
    const line: LedgerLine = {
      id: op.id,
      traffic: op.traffic,
      outcome: op.outcome,
      cause: op.cause,
      atMs: op.startEpochMs - this.trafficStartEpochMs,
      durationMs: op.durationMs,
      node: op.node,
      ...(op.generator !== undefined ? { generator: op.generator } : {}),
    };
    // The stream buffers when the disk lags; at ~120 bytes a line that is small next to the sets kept below.
    this.stream.write(JSON.stringify(line) + "\n");
    this.builder.add(op.traffic, op.id, op.outcome, line.atMs + op.durationMs);
  }

  sets(traffic: string): LedgerSets {
    return this.builder.sets(traffic);
  }

  /** When each acknowledged id of `traffic` was first acknowledged, ms from traffic start (see SetsBuilder). */
  acknowledgedAtMs(traffic: string): (number | null)[] {
    return this.builder.acknowledgedAtMs(traffic);
  }

  /** Failed write attempts of a traffic class (attempts, so a retried id counts once per failure). */
  failed(traffic: string): number {
    return this.failedByTraffic.get(traffic) ?? 0;
  }

  traffics(): string[] {
    return [...new Set([...this.builder.traffics(), ...this.failedByTraffic.keys()])];
  }

  /** Flushes and closes the file; rejects if any write failed. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stream.end();
      // finished() also settles for a stream that already failed (e.g. the file could not be opened).
      await finished(this.stream).catch((error: unknown) => {
        throw this.writeError ?? error;
      });
      if (this.writeError) throw this.writeError;
    })();
    return this.closing;
  }
}

/**
 * Rebuilds the per-traffic sets from a saved ledger file (same rules as WriteLedger.sets). A malformed *last*
 * line is ignored, since a killed run can leave half a line; a malformed line anywhere else throws.
 */
export async function readLedgerFile(path: string): Promise<Map<string, LedgerSets>> {
  const builder = new SetsBuilder();
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  let lineNumber = 0;
  let badLine: string | undefined;
  for await (const text of lines) {
    if (badLine !== undefined) throw new Error(`${path}:${lineNumber}: not a ledger line: ${badLine.slice(0, 200)}`);
    lineNumber++;
    if (text.trim() === "") continue;
    const parsed = LedgerLine.safeParse(safeJson(text));
    if (parsed.success) builder.add(parsed.data.traffic, parsed.data.id, parsed.data.outcome, parsed.data.durationMs === undefined ? undefined : parsed.data.atMs + parsed.data.durationMs);
    else badLine = text;
  }
  return new Map(builder.traffics().map((traffic) => [traffic, builder.sets(traffic)]));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
