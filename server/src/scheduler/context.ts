import type { AmcClient } from "../amc/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { AccountCache } from "./job.ts";

/** Timing and limit settings of the scheduler, all in milliseconds unless named otherwise. */
export interface SchedulerSettings {
  maxActiveCollections: number;
  maxRunningWeeksPerCollection: number;
  maxRunningPerInstance: number;
  maxAttempts: number;
  tickIntervalMs: number;
  leaseDurationMs: number;
  pollIntervalMinMs: number;
  pollIntervalMaxMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * How much faster than the wall clock the scheduler's waits run; 1 in production. Tests use
   * the same factor as the AMC client's scaled clock, so a 60 s Retry-After lasts 60 ms.
   */
  timeScale: number;
}

/** Everything a week runner uses, shared by all runners of one scheduler. */
export interface RunnerContext {
  database: Database;
  amc: AmcClient;
  logger: Logger;
  /** Lease owner id of this scheduler: unique per process start. */
  owner: string;
  settings: SchedulerSettings;
  accounts: AccountCache;
  random: () => number;
}

/** Error that stops a runner because its week is no longer leased by this scheduler. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/** Waits `ms` of scheduler time; rejects with the signal's reason when it aborts first. */
export async function sleepScaled(
  settings: SchedulerSettings,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  const wallMs = ms / settings.timeScale;
  if (wallMs <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, wallMs);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
