import { setTimeout as sleepTimer } from "node:timers/promises";

/** Source of time for backoff, Retry-After waits, rate limiting and token expiry. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    if (ms > 0) await sleepTimer(ms);
  },
};

/**
 * Creates a clock that runs `factor` times faster than the wall clock, so a test can honour a
 * 60 s Retry-After in 60 ms with factor 1000. Its `now()` starts at the wall clock's time.
 */
export function createScaledClock(factor: number): Clock {
  if (!(factor > 0)) throw new RangeError(`Clock factor ${factor} is invalid: expected > 0.`);
  const startMs = Date.now();
  return {
    now: () => startMs + (Date.now() - startMs) * factor,
    sleep: async (ms) => {
      if (ms > 0) await sleepTimer(ms / factor);
    },
  };
}
