import { AmcApiError } from "../amc/types.ts";
import { retryDelayMs } from "./backoff.ts";
import { sleepScaled, type RunnerContext } from "./context.ts";
import { amcStepRetriesTotal } from "./metrics.ts";
import { addEvent } from "./timeline.ts";

// Retrying AMC calls inside a week runner. The AMC client already retries a few times. A fault
// that outlasts those retries is waited out here for as long as it takes, because a throttled or
// unavailable API is no reason to fail a week. Only this week's runner waits, so other instances
// and weeks go on.

/** Returns true when an AMC error is a fault that a later identical call may not hit. */
export function isRetryableFault(error: unknown): error is AmcApiError {
  return error instanceof AmcApiError && error.kind !== "permanent" && !error.outcomeUnknown;
}

/**
 * Calls `call` until it succeeds or fails for a reason other than a throttled or transient
 * fault. Each wait is written to the execution's timeline and logged.
 */
export async function callAmcWithRetry<T>(
  context: RunnerContext,
  executionId: string,
  operation: string,
  signal: AbortSignal,
  call: () => Promise<T>,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    signal.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (!isRetryableFault(error)) throw error;
      const { settings } = context;
      const delayMs =
        error.retryAfterMs ??
        retryDelayMs(retry, settings.retryBaseDelayMs, settings.retryMaxDelayMs, context.random);
      const throttled = error.kind === "throttled";
      amcStepRetriesTotal.inc({ kind: error.kind });
      const message =
        `AMC ${operation} ${throttled ? "was throttled" : "failed"} (${error.message}); ` +
        `retry ${retry} in ${delayMs} ms.`;
      context.logger.warn(
        { executionId, operation, retry, delayMs, httpStatus: error.httpStatus, kind: error.kind },
        message,
      );
      await addEvent(
        context.database.prisma,
        executionId,
        throttled ? "THROTTLED" : "RETRY",
        message,
        {
          operation,
          retry,
          delayMs,
          ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
        },
      );
      await sleepScaled(settings, delayMs, signal);
    }
  }
}
