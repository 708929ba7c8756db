import type { Clock } from "./clock.ts";

// Client-side token bucket per account, so that polling many executions at once spreads the
// calls over time instead of provoking AMC's own throttling. The bucket holds up to one
// second's worth of tokens (at least one), so a burst never exceeds the configured rate by more
// than that.

/** Token bucket that releases waiting callers in arrival order. */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
    private readonly capacity = Math.max(1, ratePerSecond),
  ) {
    if (!(ratePerSecond > 0)) {
      throw new RangeError(`Rate ${ratePerSecond} requests per second is invalid: expected > 0.`);
    }
    this.tokens = capacity;
    this.updatedAtMs = clock.now();
  }

  /** Waits until a token is available, then takes it. */
  take(): Promise<void> {
    // Chaining on the previous caller keeps the order fair and stops two waiters from both
    // computing the same wait and then taking the same token.
    const turn = this.queue.then(() => this.takeInTurn());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeInTurn(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      await this.clock.sleep(waitMs);
    }
  }

  private refill(): void {
    const nowMs = this.clock.now();
    const elapsedMs = Math.max(0, nowMs - this.updatedAtMs);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.ratePerSecond);
    this.updatedAtMs = nowMs;
  }
}

/** One token bucket per key (the account id), created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
  ) {}

  take(key: string): Promise<void> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.clock, this.ratePerSecond);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
