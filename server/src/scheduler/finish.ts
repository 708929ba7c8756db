import type { AmcExecutionStatus } from "../amc/types.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { activateResult } from "../results/activate.ts";
import { ingestResult } from "../results/ingest.ts";
import { callAmcWithRetry } from "./amc-step.ts";
import { retryDelayMs } from "./backoff.ts";
import type { RunnerContext } from "./context.ts";
import type { WeekJob } from "./job.ts";
import { weeksFinishedTotal } from "./metrics.ts";
import { lockCollectionRow, shareCollectionRow, transactionOptions, utcNow } from "./sql.ts";
import { settleWhenDone } from "./settle.ts";
import { addEvent } from "./timeline.ts";
import { markWeekFailed, markWeekSucceeded, scheduleWeekRetry } from "./week-state.ts";

// Ending a week attempt: storing the result and marking the week SUCCESS, or failing the
// attempt and either scheduling the next one or failing the week.

/** Prisma client inside an interactive transaction. */
type Transaction = Prisma.TransactionClient;

/** Settles a collection after one of its weeks finished; the domain decides its new status. */
export type SettleCollection = (tx: Transaction, collectionId: string) => Promise<unknown>;

/** Execution row fields the finishing steps use. */
export interface FinishingExecution {
  id: string;
  amcExecutionId: string;
}

async function* downloadParts(context: RunnerContext, urls: string[]) {
  for (const url of urls) yield await context.amc.downloadResult(url);
}

/** Marks the execution SUCCEEDED and adds its RESULT timeline event, in one statement. */
async function markExecutionSucceeded(tx: Transaction, executionId: string, rowCount: number) {
  await tx.$executeRawUnsafe(
    `WITH finished AS (
       UPDATE "Execution" SET status = 'SUCCEEDED', "finishedAt" = ${utcNow}, "updatedAt" = ${utcNow}
       WHERE id = $1::uuid
       RETURNING id
     )
     INSERT INTO "ExecutionEvent" (id, "executionId", at, kind, message, data)
     SELECT gen_random_uuid(), finished.id, ${utcNow}, 'RESULT', $2, $3::jsonb FROM finished`,
    executionId,
    `Stored ${rowCount} result rows.`,
    JSON.stringify({ rowCount }),
  );
}

/**
 * Downloads and stores the result, then, in one transaction, makes it the week's current result
 * and marks execution and week finished, and after that settles the collection. A crash before
 * the commit leaves an incomplete result set that the next attempt to store this execution's
 * result replaces.
 */
export async function finishSucceeded(
  context: RunnerContext,
  job: WeekJob,
  execution: FinishingExecution,
  settleCollection: SettleCollection,
  signal: AbortSignal,
): Promise<void> {
  const ingested = await callAmcWithRetry(context, execution.id, "download", signal, async () => {
    const { downloadUrls } = await context.amc.getDownloadUrls(
      job.account,
      job.amcInstanceId,
      execution.amcExecutionId,
    );
    return ingestResult(context.database, {
      executionId: execution.id,
      weekId: job.weekId,
      collectionId: job.collectionId,
      parts: downloadParts(context, downloadUrls),
    });
  });
  signal.throwIfAborted();
  const { prisma } = context.database;
  await prisma.$transaction(async (tx) => {
    await shareCollectionRow(tx, job.collectionId);
    await markWeekSucceeded(tx, job.weekId, context.owner);
    await activateResult(tx, job.weekId, ingested.resultSetId, ingested.summary);
    await markExecutionSucceeded(tx, execution.id, ingested.rowCount);
  }, transactionOptions);
  weeksFinishedTotal.inc({ outcome: "success" });
  context.logger.info(
    {
      weekId: job.weekId,
      collectionId: job.collectionId,
      executionId: execution.id,
      amcExecutionId: execution.amcExecutionId,
      rowCount: ingested.rowCount,
    },
    "week succeeded",
  );
  await settleWhenDone(context, job.collectionId, settleCollection);
}

/**
 * Returns true when a failed attempt may succeed when run again: AMC timeouts, internal errors
 * and cancellations by someone else. REJECTED executions and SQL errors fail the same way again.
 */
export function isWorthRetrying(status: AmcExecutionStatus | "SUBMIT_REJECTED", reason: string) {
  if (status === "REJECTED" || status === "SUBMIT_REJECTED") return false;
  if (status === "CANCELLED") return true;
  return !/syntax|invalid|not allowed|unknown (table|column)|does not exist|permission/i.test(
    reason,
  );
}

/**
 * Records the failed attempt, then schedules the next attempt with backoff when the reason is
 * worth retrying and attempts remain, or fails the week with AMC's reason.
 */
export async function finishFailed(
  context: RunnerContext,
  job: WeekJob,
  executionId: string | undefined,
  status: AmcExecutionStatus | "SUBMIT_REJECTED",
  reason: string,
  settleCollection: SettleCollection,
): Promise<void> {
  const retry = isWorthRetrying(status, reason) && job.attempt < job.maxAttempts;
  const { settings } = context;
  const delayMs = retryDelayMs(
    job.attempt,
    settings.retryBaseDelayMs,
    settings.retryMaxDelayMs,
    context.random,
  );
  const ids = {
    weekId: job.weekId,
    collectionId: job.collectionId,
    executionId,
    attempt: job.attempt,
  };
  await context.database.prisma.$transaction(async (tx) => {
    await lockCollectionRow(tx, job.collectionId);
    if (executionId) {
      const executionStatus = status === "SUBMIT_REJECTED" ? "FAILED" : status;
      await tx.$executeRawUnsafe(
        `UPDATE "Execution" SET status = $2::"ExecutionStatus", "statusReason" = $3,
           "finishedAt" = ${utcNow}, "updatedAt" = ${utcNow}
         WHERE id = $1::uuid`,
        executionId,
        executionStatus,
        reason,
      );
    }
    if (retry) {
      await scheduleWeekRetry(tx, job.weekId, context.owner, reason, delayMs / settings.timeScale);
      if (executionId) {
        await addEvent(
          tx,
          executionId,
          "RETRY",
          `Attempt ${job.attempt} of ${job.maxAttempts} ended ${status}: ${reason}. Next attempt in ${delayMs} ms.`,
          { attempt: job.attempt, delayMs },
        );
      }
      return;
    }
    await markWeekFailed(tx, job.weekId, context.owner, reason);
    if (executionId) {
      await addEvent(
        tx,
        executionId,
        "ERROR",
        `Week failed after attempt ${job.attempt}: ${reason}`,
      );
    }
    await settleCollection(tx, job.collectionId);
  }, transactionOptions);
  weeksFinishedTotal.inc({ outcome: retry ? "retry" : "failed" });
  if (retry)
    context.logger.warn(
      { ...ids, delayMs },
      `attempt ${job.attempt} of ${job.maxAttempts} failed; retrying: ${reason}`,
    );
  else context.logger.error(ids, `week failed: ${reason}`);
}
