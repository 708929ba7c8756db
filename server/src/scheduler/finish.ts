import type { AmcExecutionStatus } from "../amc/types.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { namedStatement, queryDirect } from "../db/direct-query.ts";
import { eventsChannelSql } from "../events/notify.ts";
import { metricRecordColumns, metricRowsJson, writeResultRows } from "../results/ingest.ts";
import { callAmcWithRetry } from "./amc-step.ts";
import { retryDelayMs } from "./backoff.ts";
import { LeaseLostError, type RunnerContext } from "./context.ts";
import type { WeekJob } from "./job.ts";
import { weeksFinishedTotal } from "./metrics.ts";
import { asyncCommitCte, lockCollectionRow, transactionOptions, utcNow } from "./sql.ts";
import { settleWhenDone } from "./settle.ts";
import { addEvent } from "./timeline.ts";
import { finishedAssignments, markWeekFailed, scheduleWeekRetry } from "./week-state.ts";

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
  /** The STATUS event of the poll that saw the execution finish, stored with the result. */
  lastStatus?: FinishEvent;
}

async function* downloadParts(context: RunnerContext, urls: string[]) {
  for (const url of urls) yield await context.amc.downloadResult(url);
}

/**
 * The finishing statement of a successful attempt. As one statement it is atomic without a
 * transaction, and it saves the round trips that dominate a week's cost. In order:
 * 1. `collection`: a share lock on the collection row, taken before the week's row, in the same
 *    order as every other transaction that changes a week. Finishing weeks do not wait for each
 *    other, but pause, cancel and settle lock the row FOR UPDATE and so wait for them.
 * 2. `week`: the week becomes SUCCESS with the new result as current, if this scheduler still
 *    holds its lease. Every other part joins this row, so a lost lease changes nothing.
 * 3. `replaced`: the week's other result sets go (their rows and metrics cascade): those of
 *    earlier attempts and a leftover of this execution from a crash. The week no longer points
 *    at them, so the foreign key's ON DELETE SET NULL finds nothing to change.
 * 4. `created` and `rows`: a result held in memory ($11 not null) gets its complete set and
 *    rows. `created` reads `replaced` first, so a leftover with the same execution id is gone
 *    before the insert checks the unique index.
 * 5. `completed`: a result stored while streaming gets its columns and row count instead.
 * 6. `metrics`: the set's WeekMetric rows, from one JSON parameter.
 * 7. `execution` and `events`: the execution is SUCCEEDED, with its last status change and its
 *    RESULT event on the timeline.
 * 8. `notified`: the week's change event, delivered when the statement commits.
 * It returns the week's new version and how many other weeks of the collection are PENDING. The
 * foreign key from the week to its current result fails the statement if no set was stored.
 */
const finishSucceededSql = namedStatement(
  "scheduler_finish_succeeded",
  `
WITH ${asyncCommitCte},
collection AS (
  SELECT id FROM "Collection" WHERE id = $2::uuid FOR SHARE
),
week AS (
  UPDATE "Week" w SET status = 'SUCCESS', "errorMessage" = NULL, ${finishedAssignments},
    "currentResultId" = $4::uuid, "rowCount" = $6::int, summary = $7::jsonb,
    "leaseOwner" = NULL, "leaseExpiresAt" = NULL, version = w.version + 1, "updatedAt" = ${utcNow}
  FROM collection
  WHERE w.id = $1::uuid AND w."collectionId" = collection.id AND w."leaseOwner" = $3::text
    AND w.status = 'RUNNING'
  RETURNING w.id, w."collectionId", w.version
),
completed AS (
  UPDATE "ResultSet" r SET columns = $8::jsonb, "rowCount" = $6::int, "completedAt" = ${utcNow}
  FROM week WHERE r.id = $4::uuid AND r."weekId" = week.id
  RETURNING r.id
),
metrics AS (
  INSERT INTO "WeekMetric" (id, "resultSetId", "weekId", "collectionId", metric, dimension,
    "dimensionValue", sum, min, max, count)
  SELECT gen_random_uuid(), $4::uuid, week.id, week."collectionId", m.metric, m.dimension,
    m."dimensionValue", m.sum, m.min, m.max, m.count
  FROM week, jsonb_to_recordset($9::jsonb) AS ${metricRecordColumns}
),
replaced AS (
  DELETE FROM "ResultSet" r USING week WHERE r."weekId" = week.id AND r.id <> $4::uuid
  RETURNING r.id
),
created AS (
  INSERT INTO "ResultSet" (id, "executionId", "weekId", columns, "rowCount", "completedAt", "createdAt")
  SELECT $4::uuid, $5::uuid, week.id, $8::jsonb, $6::int, ${utcNow}, ${utcNow}
  FROM week WHERE $11::jsonb IS NOT NULL AND (SELECT count(*) FROM replaced) >= 0
  RETURNING id
),
rows AS (
  INSERT INTO "ResultRow" ("resultSetId", "rowNumber", "values")
  SELECT created.id, held.number, held.value
  FROM created, jsonb_array_elements($11::jsonb) WITH ORDINALITY AS held(value, number)
),
execution AS (
  UPDATE "Execution" e SET status = 'SUCCEEDED', "finishedAt" = ${utcNow},
    "lastPolledAt" = ${utcNow}, "updatedAt" = ${utcNow}
  FROM week WHERE e.id = $5::uuid AND e."weekId" = week.id
  RETURNING e.id
),
events AS (
  INSERT INTO "ExecutionEvent" (id, "executionId", at, kind, message, data)
  SELECT gen_random_uuid(), execution.id, LEAST(ev.at, ${utcNow}), ev.kind, ev.message, ev.data
  FROM execution, jsonb_to_recordset($10::jsonb) AS ev(at timestamp, kind text, message text, data jsonb)
),
notified AS (
  SELECT pg_notify(${eventsChannelSql}, json_build_object('type', 'week', 'id', week.id,
    'collectionId', week."collectionId", 'version', week.version, 'status', 'SUCCESS')::text)
  FROM week
)
SELECT week.version,
  (SELECT count(*) FROM notified)::int AS notified,
  (SELECT count(*) FROM "Week" o
   WHERE o."collectionId" = week."collectionId" AND o.status = 'PENDING')::int AS pending
FROM week, async_commit`,
);

/**
 * Rows up to which a result is held in memory and stored by the finishing statement. That saves
 * two statements per week. Larger results stream into the database first.
 */
const heldResultRowLimit = 1000;

/** A timeline event written by the finishing statement. */
export interface FinishEvent {
  at: string;
  kind: string;
  message: string;
  data: unknown;
}

/**
 * Downloads the result and streams its rows into the database, unless it is small enough to
 * hold in memory. Then, in one statement, it stores a held result, completes the result set,
 * makes it the week's current result and marks execution and week finished. A crash before that
 * statement leaves at most an incomplete result set, which the next attempt to store this
 * execution's result replaces. When no week of the collection is left PENDING, the collection
 * is settled after the commit.
 */
export async function finishSucceeded(
  context: RunnerContext,
  job: WeekJob,
  execution: FinishingExecution,
  settleCollection: SettleCollection,
  signal: AbortSignal,
): Promise<void> {
  const written = await callAmcWithRetry(context, execution.id, "download", signal, async () => {
    const { downloadUrls } = await context.amc.getDownloadUrls(
      job.account,
      job.amcInstanceId,
      execution.amcExecutionId,
    );
    return writeResultRows(
      context.database,
      {
        executionId: execution.id,
        weekId: job.weekId,
        collectionId: job.collectionId,
        parts: downloadParts(context, downloadUrls),
      },
      { holdRowLimit: heldResultRowLimit },
    );
  });
  signal.throwIfAborted();
  const events: FinishEvent[] = [];
  if (execution.lastStatus) events.push(execution.lastStatus);
  events.push({
    at: new Date().toISOString(),
    kind: "RESULT",
    message: `Stored ${written.rowCount} result rows.`,
    data: { rowCount: written.rowCount },
  });
  const rows = await queryDirect<{ pending: number }>(context.database, finishSucceededSql, [
    job.weekId,
    job.collectionId,
    context.owner,
    written.resultSetId,
    execution.id,
    written.rowCount,
    JSON.stringify(written.summary),
    JSON.stringify(written.columns),
    metricRowsJson(written.metricRows),
    JSON.stringify(events),
    written.heldRows,
  ]);
  const finished = rows[0];
  if (!finished) {
    throw new LeaseLostError(
      `Week ${job.weekId} is no longer RUNNING under lease owner ${context.owner}; another replica or a user changed it.`,
    );
  }
  weeksFinishedTotal.inc({ outcome: "success" });
  context.logger.info(
    {
      weekId: job.weekId,
      collectionId: job.collectionId,
      executionId: execution.id,
      amcExecutionId: execution.amcExecutionId,
      rowCount: written.rowCount,
    },
    "week succeeded",
  );
  // With no PENDING week left, the RUNNING ones may have finished beside this one: the settle
  // check runs after the commit, so that of two weeks finishing together one reads the other's commit.
  if (finished.pending === 0) await settleWhenDone(context, job.collectionId, settleCollection);
}

/**
 * Reasons of FAILED executions that recur on every run of the same SQL: syntax and rule
 * violations, unknown tables, columns, functions and parameters, missing permissions.
 */
const deterministicFailure =
  /syntax|invalid|not allowed|unknown|does not exist|permission|not declared|has no value|unsupported|not supported|exactly one|only select|is not available in/i;

/**
 * Returns true when a failed attempt may succeed when run again: AMC timeouts, internal errors
 * and cancellations by someone else. REJECTED executions and SQL errors fail the same way again.
 */
export function isWorthRetrying(status: AmcExecutionStatus | "SUBMIT_REJECTED", reason: string) {
  if (status === "REJECTED" || status === "SUBMIT_REJECTED") return false;
  if (status === "CANCELLED") return true;
  return !deterministicFailure.test(reason);
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
  /**
   * True when the attempt failed through no fault of its own and is retried without counting
   * against the budget: AMC lost an execution that an earlier server process submitted.
   */
  freeAttempt = false,
): Promise<void> {
  // The budget counts attempts since the last manual retry, which gives a week a fresh one.
  const budgetAttempt = job.attempt - job.retriedAtAttempt;
  const retry = freeAttempt || (isWorthRetrying(status, reason) && budgetAttempt < job.maxAttempts);
  const { settings } = context;
  const delayMs = retryDelayMs(
    budgetAttempt,
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
      await scheduleWeekRetry(
        tx,
        job.weekId,
        context.owner,
        reason,
        delayMs / settings.timeScale,
        freeAttempt,
      );
      if (executionId) {
        const counted = freeAttempt
          ? "Attempt not counted"
          : `Attempt ${budgetAttempt} of ${job.maxAttempts}`;
        await addEvent(
          tx,
          executionId,
          "RETRY",
          `${counted} ended ${status}: ${reason.replace(/\.+$/, "")}. Next attempt in ${delayMs} ms.`,
          { attempt: job.attempt, delayMs, counted: !freeAttempt },
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
      `attempt ${budgetAttempt} of ${job.maxAttempts} failed; retrying: ${reason}`,
    );
  else context.logger.error(ids, `week failed: ${reason}`);
}
