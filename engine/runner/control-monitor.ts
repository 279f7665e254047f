import type { RunClock } from "../../core/clock.ts";
import { pingDocker } from "../../env/docker/client.ts";

/** How often the engine is pinged while the run is under way, ms. */
const PING_EVERY_MS = 1_000;
/** Deadline of one ping, ms: an engine slower than this is as good as gone for fault timing. */
const PING_TIMEOUT_MS = 2_000;
/** Consecutive failed pings before the engine counts as lost (one slow answer on a loaded machine is not a loss). */
const FAILED_PINGS = 2;

/** When and why the harness lost control of the run. */
export interface ControlLoss {
  /** ms from traffic start; null before traffic started. */
  fromMs: number | null;
  reason: string;
}

/**
 * Watches what the harness needs to stay in control of an experiment: the container engine (pinged every second)
 * plus what the runner reports (the load generator died, a fault failed for the harness's own reasons). The first
 * loss is kept: from then on the record is not trustworthy and every verdict is void (docs/ARCHITECTURE.md, principle 6).
 */
export class ControlMonitor {
  #loss: ControlLoss | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pinging = false;
  #failedSinceMs: number | null | undefined;
  #failed = 0;

  constructor(
    private readonly clock: RunClock,
    private readonly onLost: (loss: ControlLoss) => void,
    private readonly ping: (timeoutMs: number) => Promise<boolean> = pingDocker,
  ) {}

  get loss(): ControlLoss | undefined {
    return this.#loss;
  }

  /** Starts pinging the engine. Idempotent. */
  start(): void {
    this.#timer ??= setInterval(() => void this.checkOnce(), PING_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Records a loss the runner saw; the earliest one wins (the record stops being trustworthy from there). */
  lost(reason: string, fromMs: number | null = this.clock.nowMs()): void {
    const earlier = this.#loss === undefined || (fromMs !== null && (this.#loss.fromMs === null ? false : fromMs < this.#loss.fromMs));
    if (!earlier) return;
    const first = this.#loss === undefined;
    this.#loss = { fromMs: fromMs === null ? null : Math.round(fromMs), reason };
    if (first) this.onLost(this.#loss);
  }

  /** One ping of the engine (the timer calls it every second); a loss after FAILED_PINGS failures in a row. */
  async checkOnce(): Promise<void> {
    if (this.#pinging) return;
    this.#pinging = true;
    const askedAtMs = this.clock.nowMs();
    try {
      if (await this.ping(PING_TIMEOUT_MS)) {
        this.#failed = 0;
        this.#failedSinceMs = undefined;
        return;
      }
      if (this.#failed++ === 0) this.#failedSinceMs = askedAtMs;
      if (this.#failed >= FAILED_PINGS) this.lost(`the container engine stopped answering (${this.#failed} pings of ${PING_TIMEOUT_MS} ms failed)`, this.#failedSinceMs ?? askedAtMs);
    } finally {
      this.#pinging = false;
    }
  }
}
