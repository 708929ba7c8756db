// Delays of the scheduler: retry backoff and the polling interval.

/**
 * Returns the delay before retry number `retry` (1 for the first retry): exponential from
 * `baseMs`, capped at `maxMs`, with "full jitter" over the upper half so that replicas retrying
 * the same fault spread out.
 */
export function retryDelayMs(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponentialMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponentialMs / 2 + (random() * exponentialMs) / 2);
}

/** Share of an execution's age waited before the next poll. */
const pollAgeFraction = 1 / 40;

/**
 * Returns how long to wait before polling an execution that has been at AMC for `ageMs`. The
 * wait grows with the age, so a finished execution is noticed within about 2.5% of its run
 * time, while a long execution costs few calls.
 */
export function pollIntervalMs(ageMs: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.max(minMs, Math.round(ageMs * pollAgeFraction)));
}
