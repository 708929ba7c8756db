import type { Clock } from "./clock.ts";

// When AMC throttles one instance, later calls to that instance wait out the same pause, while
// calls to other instances go ahead. AMC's rate limits are unpublished; this keeps the client
// from hammering an instance that just returned 429.

/** Per-instance "throttled until" times, keyed by account and AMC instance id. */
export class InstanceThrottle {
  private readonly untilMs = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Records that the instance must not be called for `delayMs` from now. */
  throttle(key: string, delayMs: number): void {
    const untilMs = this.clock.now() + delayMs;
    this.untilMs.set(key, Math.max(untilMs, this.untilMs.get(key) ?? 0));
  }

  /** Milliseconds until the instance may be called again; 0 when it is not throttled. */
  remainingMs(key: string): number {
    const untilMs = this.untilMs.get(key);
    if (untilMs === undefined) return 0;
    const remainingMs = untilMs - this.clock.now();
    if (remainingMs <= 0) {
      this.untilMs.delete(key);
      return 0;
    }
    return remainingMs;
  }

  /** Waits until the instance is no longer throttled, including pauses added while waiting. */
  async wait(key: string): Promise<void> {
    for (let remainingMs = this.remainingMs(key); remainingMs > 0;) {
      await this.clock.sleep(remainingMs);
      remainingMs = this.remainingMs(key);
    }
  }
}
