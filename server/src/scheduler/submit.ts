import { randomUUID } from "node:crypto";
import {
  AmcApiError,
  terminalAmcStatuses,
  type AmcExecution,
  type AmcInputParameter,
} from "../amc/types.ts";
import { namedStatement, queryDirect } from "../db/direct-query.ts";
import { amcTimeWindow } from "../domain/weeks.ts";
import { parseParameterDefinitions, type ParameterDefinition } from "../domain/parameters.ts";
import { renderSql } from "../domain/render.ts";
import type { Execution } from "../generated/prisma/client.ts";
import { callAmcWithRetry } from "./amc-step.ts";
import { retryDelayMs } from "./backoff.ts";
import { LeaseLostError, sleepScaled, type RunnerContext } from "./context.ts";
import type { WeekJob } from "./job.ts";
import { executionsRecoveredTotal, executionsSubmittedTotal } from "./metrics.ts";
import { activeExecutionStatusList, asyncCommitCte, transactionOptions, utcNow } from "./sql.ts";
import { addEvent } from "./timeline.ts";
import { releaseUnsentClaim, scheduleWeekRetry } from "./week-state.ts";

// Submitting a week's execution exactly once.
//
// AMC's create call has no idempotency key, so the attempt is recorded before the call: the
// Execution row is inserted as SUBMITTING, then `submittedAt` is set just before the request
// goes out, and AMC's id is stored as soon as the answer arrives. Every execution of a week runs
// the week's own saved AMC workflow, whose id is derived from the week's id. When a create call
// may have taken effect (it timed out, or the process died after setting `submittedAt`), the
// runner lists that workflow's executions and adopts the one no Execution row knows, instead of
// creating a second one. A newly claimed week inserts its row with `submittedAt` already set, in
// a transaction that commits without waiting for the WAL flush. A database crash may lose that
// row after the create call went out, so a takeover that finds no row lists before it creates.

/**
 * Returns true for AMC's rejection of a create call whose saved workflow does not exist.
 * NOTE: the wording is the sandbox's. Real AMC's message for an unknown workflowId is not
 * documented, and a message this does not match fails the attempt instead.
 */
function isMissingWorkflow(error: AmcApiError): boolean {
  if (error.kind !== "permanent" || error.outcomeUnknown) return false;
  return /workflow\b.*\b(does not exist|not found)/i.test(
    `${error.message} ${error.details ?? ""}`,
  );
}

/** Error of a create call that AMC rejected; the attempt fails with AMC's reason. */
export class SubmitRejectedError extends Error {
  override name = "SubmitRejectedError";
}

/**
 * Returns the id of the saved AMC workflow that every execution of the week runs.
 *
 * NOTE: the workflow is per week, not per collection, and Collection.amcWorkflowId stays unset.
 * renderSql writes each week's dates into the SQL, and a saved workflow has one fixed SQL text.
 */
export function savedWorkflowId(weekId: string): string {
  return `amcc-week-${weekId}`;
}

/** Renders the attempt's SQL, parameter values and AMC time window; throws a DomainValidationError. */
function renderAttempt(job: WeekJob) {
  const { definitions } = parseParameterDefinitions(job.parametersSnapshot);
  const rendered = renderSql(
    job.sqlSnapshot,
    { startDate: job.startDate, endDate: job.endDate },
    definitions,
    (job.parameterValues ?? {}) as Record<string, unknown>,
  );
  const window = amcTimeWindow({ startDate: job.startDate, endDate: job.endDate }, job.timezone);
  return {
    definitions,
    fields: { sql: rendered.sql, parameterValues: rendered.parameterValues, ...window },
  };
}

/**
 * Returns the Execution row of the job's attempt, creating it as SUBMITTING when missing, and
 * whether it was created. A row created with `mayHaveBeenSent` gets `submittedAt`, so that this
 * and every later runner lists AMC's executions before creating one. Throws a
 * DomainValidationError when the SQL no longer renders.
 */
export async function prepareExecution(
  context: RunnerContext,
  job: WeekJob,
  mayHaveBeenSent = false,
): Promise<{ execution: Execution; created: boolean }> {
  const { prisma } = context.database;
  const existing = await prisma.execution.findUnique({
    where: { weekId_attempt: { weekId: job.weekId, attempt: job.attempt } },
  });
  if (existing) return { execution: existing, created: false };

  const execution = await prisma.execution.create({
    data: {
      weekId: job.weekId,
      attempt: job.attempt,
      status: "SUBMITTING",
      amcWorkflowId: savedWorkflowId(job.weekId),
      ...renderAttempt(job).fields,
      submittedAt: mayHaveBeenSent ? new Date() : null,
    },
  });
  return { execution, created: true };
}

/**
 * Starts a newly claimed week's attempt in one statement, where the careful path takes three.
 * Once the week's saved workflow exists at AMC, the attempt's Execution row is inserted already
 * marked as sent (`submittedAt` set), provided the week is still leased here and its collection
 * is ACTIVE: the same check as `openSubmitGate`.
 *
 * Returns undefined when the workflow call failed, the row exists or the gate is closed. The
 * caller then takes the careful path (`prepareExecution`, then `submitExecution`), which handles
 * each of these cases. Throws a DomainValidationError when the SQL no longer renders.
 */
export async function openFreshAttempt(
  context: RunnerContext,
  job: WeekJob,
): Promise<Execution | undefined> {
  const { definitions, fields: attempt } = renderAttempt(job);
  const workflowId = savedWorkflowId(job.weekId);
  try {
    await context.amc.createWorkflow(job.account, job.amcInstanceId, {
      workflowId,
      sqlQuery: attempt.sql,
      inputParameters: inputParameters(definitions),
    });
  } catch (error) {
    const exists = error instanceof AmcApiError && /already exists/i.test(error.message);
    if (!exists) return undefined;
  }
  const id = randomUUID();
  const rows = await queryDirect<{ submittedAtMs: number }>(context.database, insertOpenedSql, [
    id,
    job.weekId,
    context.owner,
    job.attempt,
    workflowId,
    attempt.sql,
    JSON.stringify(attempt.parameterValues),
    attempt.timeWindowStart,
    attempt.timeWindowEnd,
    attempt.timeWindowTimeZone,
  ]);
  const inserted = rows[0];
  if (!inserted) return undefined;
  const submittedAt = new Date(Number(inserted.submittedAtMs));
  return {
    id,
    weekId: job.weekId,
    attempt: job.attempt,
    amcExecutionId: null,
    amcWorkflowId: workflowId,
    amcWorkflowDeletedAt: null,
    status: "SUBMITTING",
    statusReason: null,
    ...attempt,
    submittedAt,
    startedAt: null,
    finishedAt: null,
    lastPolledAt: null,
    nextPollAt: null,
    createdAt: submittedAt,
    updatedAt: submittedAt,
  };
}

/** The insert of `openFreshAttempt`; the conditions are those of `openSubmitGate`. */
const insertOpenedSql = namedStatement(
  "scheduler_insert_opened_execution",
  `INSERT INTO "Execution" (id, "weekId", attempt, status, "amcWorkflowId", sql,
     "parameterValues", "timeWindowStart", "timeWindowEnd", "timeWindowTimeZone",
     "submittedAt", "createdAt", "updatedAt")
   WITH ${asyncCommitCte}
   SELECT $1::uuid, w.id, $4::int, 'SUBMITTING', $5::text, $6::text, $7::jsonb, $8::text,
     $9::text, $10::text, ${utcNow}, ${utcNow}, ${utcNow}
   FROM async_commit, "Week" w JOIN "Collection" c ON c.id = w."collectionId"
   WHERE w.id = $2::uuid AND w.status = 'RUNNING' AND w."leaseOwner" = $3::text
     AND w.attempts = $4::int AND c.status = 'ACTIVE'
   ON CONFLICT ("weekId", attempt) DO NOTHING
   RETURNING (EXTRACT(EPOCH FROM "submittedAt") * 1000)::float8 AS "submittedAtMs"`,
);

/** Returns true when an older attempt of the week may still be running at AMC. */
export async function hasActiveOlderExecution(
  context: RunnerContext,
  job: WeekJob,
): Promise<boolean> {
  const rows = await context.database.prisma.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM "Execution" WHERE "weekId" = $1::uuid AND attempt < $2
       AND status IN ${activeExecutionStatusList} LIMIT 1`,
    job.weekId,
    job.attempt,
  );
  return rows.length > 0;
}

function inputParameters(definitions: ParameterDefinition[]): AmcInputParameter[] {
  return definitions
    .filter((definition) => definition.passAs === "CUSTOM_PARAMETER")
    .map((definition) => ({ name: definition.name, dataType: definition.type }));
}

/**
 * Returns how long to wait after a create call with an unknown outcome before listing: long
 * enough for a request that AMC received late to show up in the list.
 */
function unknownOutcomeWaitMs(context: RunnerContext): number {
  return context.settings.leaseDurationMs / 2;
}

/** Creates the week's saved workflow at AMC; an existing one with the same id is kept. */
async function ensureSavedWorkflow(
  context: RunnerContext,
  job: WeekJob,
  execution: Execution,
  signal: AbortSignal,
): Promise<void> {
  const workflowId = savedWorkflowId(job.weekId);
  const { definitions } = parseParameterDefinitions(job.parametersSnapshot);
  const workflow = {
    workflowId,
    sqlQuery: execution.sql,
    inputParameters: inputParameters(definitions),
  };
  for (;;) {
    const created = await callAmcWithRetry(
      context,
      execution.id,
      "createWorkflow",
      signal,
      async () => {
        try {
          await context.amc.createWorkflow(job.account, job.amcInstanceId, workflow);
          return true;
        } catch (error) {
          if (!(error instanceof AmcApiError)) throw error;
          const text = `${error.message} ${error.details ?? ""}`;
          if (error.kind === "permanent" && /already exists/i.test(text)) return true;
          // Any other permanent fault (rejected credentials, invalid SQL, no access) recurs on
          // every try, so the attempt fails with AMC's reason instead of waiting forever.
          if (error.kind === "permanent" && !error.outcomeUnknown) {
            throw new SubmitRejectedError(`AMC rejected the saved workflow: ${error.message}`, {
              cause: error,
            });
          }
          if (!error.outcomeUnknown) throw error;
          return false;
        }
      },
    );
    if (created) return;
    // The create may have worked: check before sending it again.
    await sleepScaled(context.settings, unknownOutcomeWaitMs(context), signal);
    const exists = await callAmcWithRetry(
      context,
      execution.id,
      "getWorkflow",
      signal,
      async () => {
        try {
          await context.amc.getWorkflow(job.account, job.amcInstanceId, workflowId);
          return true;
        } catch (error) {
          if (error instanceof AmcApiError && error.httpStatus === 404) return false;
          throw error;
        }
      },
    );
    if (exists) return;
  }
}

/**
 * Lists the week's workflow executions at AMC and returns the one whose id no Execution row
 * stores yet, which is the execution a create call of this attempt made. The saved workflow belongs to this
 * week alone, so every execution listed has this week's window.
 */
async function findSubmittedExecution(
  context: RunnerContext,
  job: WeekJob,
  execution: Execution,
  signal: AbortSignal,
): Promise<AmcExecution | undefined> {
  const known = await context.database.prisma.execution.findMany({
    where: { weekId: job.weekId, amcExecutionId: { not: null } },
    select: { amcExecutionId: true },
  });
  const knownIds = new Set(known.map((row) => row.amcExecutionId));
  const found: AmcExecution[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callAmcWithRetry(context, execution.id, "listExecutions", signal, () =>
      context.amc.listExecutions(job.account, {
        amcInstanceId: job.amcInstanceId,
        workflowId: savedWorkflowId(job.weekId),
        includeCancelled: true,
        limit: 100,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    found.push(...page.executions.filter((item) => !knownIds.has(item.workflowExecutionId)));
    nextToken = page.nextToken;
  } while (nextToken);
  if (found.length > 1) {
    // NOTE: only a create that AMC accepted late, after a later create of the same attempt, can
    // cause this. The oldest execution is kept and the others are cancelled.
    found.sort((a, b) => (a.createTime ?? "").localeCompare(b.createTime ?? ""));
    for (const extra of found.slice(1)) {
      context.logger.error(
        {
          weekId: job.weekId,
          executionId: execution.id,
          amcExecutionId: extra.workflowExecutionId,
        },
        "found a second AMC execution for one attempt; cancelling it",
      );
      await context.amc
        .cancelExecution(job.account, job.amcInstanceId, extra.workflowExecutionId)
        .catch(() => undefined);
    }
  }
  return found[0];
}

/**
 * The update of `storeSubmitted`: AMC's id and its timeline event, the event only when the row
 * was still SUBMITTING.
 */
const storeSubmittedSql = namedStatement(
  "scheduler_store_submitted",
  `WITH ${asyncCommitCte},
   stored AS (
     UPDATE "Execution" SET "amcExecutionId" = $2::text, status = $3::text::"ExecutionStatus",
       "submittedAt" = COALESCE("submittedAt", ${utcNow}), "updatedAt" = ${utcNow}
     WHERE id = $1::uuid AND status = 'SUBMITTING'
     RETURNING id
   )
   INSERT INTO "ExecutionEvent" (id, "executionId", at, kind, message, data)
   SELECT gen_random_uuid(), stored.id, ${utcNow}, $4::text, $5::text, $6::jsonb
   FROM stored, async_commit
   RETURNING "executionId"`,
);

/** Stores AMC's id; returns false when the row left SUBMITTING meanwhile (cancelled). */
async function storeSubmitted(
  context: RunnerContext,
  job: WeekJob,
  execution: Execution,
  amcExecution: AmcExecution,
  how: "SUBMITTED" | "RECOVERED",
): Promise<boolean> {
  const amcExecutionId = amcExecution.workflowExecutionId;
  const message =
    how === "SUBMITTED"
      ? `Submitted to AMC as ${amcExecutionId}.`
      : `Found execution ${amcExecutionId} at AMC after a create call with an unknown outcome.`;
  const storedRows = await queryDirect(context.database, storeSubmittedSql, [
    execution.id,
    amcExecutionId,
    // A terminal status is stored by the poll that follows, with its timeline event.
    terminalAmcStatuses.has(amcExecution.status) ? "PENDING" : amcExecution.status,
    how,
    message,
    JSON.stringify({ amcExecutionId }),
  ]);
  const stored = storedRows.length;
  const ids = {
    weekId: job.weekId,
    collectionId: job.collectionId,
    executionId: execution.id,
    amcExecutionId,
  };
  if (stored === 0) {
    context.logger.info(ids, "execution was cancelled while being submitted; cancelling it at AMC");
    await context.amc
      .cancelExecution(job.account, job.amcInstanceId, amcExecutionId)
      .catch((error: unknown) =>
        context.logger.warn(
          { ...ids, err: error },
          "cancelling at AMC failed; the sweep retries it",
        ),
      );
    return false;
  }
  if (how === "SUBMITTED") executionsSubmittedTotal.inc();
  else executionsRecoveredTotal.inc();
  context.logger.info(ids, how === "SUBMITTED" ? "execution submitted" : "execution recovered");
  return true;
}

/**
 * Marks the row as sent, if the week is still leased and its collection ACTIVE. Returns false
 * when the create call must not be made.
 *
 * NOTE: a pause or cancel that commits after this statement does not stop the create call that
 * follows it, so that one request can reach AMC after the mutation returned. Every later create
 * reads the new status here.
 */
async function openSubmitGate(context: RunnerContext, job: WeekJob, execution: Execution) {
  const rows = await context.database.prisma.$executeRawUnsafe(
    `UPDATE "Execution" e SET "submittedAt" = ${utcNow}, "updatedAt" = ${utcNow}
     FROM "Week" w JOIN "Collection" c ON c.id = w."collectionId"
     WHERE e.id = $1::uuid AND e.status = 'SUBMITTING' AND w.id = e."weekId"
       AND w.status = 'RUNNING' AND w."leaseOwner" = $2 AND c.status = 'ACTIVE'`,
    execution.id,
    context.owner,
  );
  return rows === 1;
}

/**
 * Handles a closed gate. A week still leased here belongs to a paused collection: its claim is
 * given back, with the attempt uncounted when nothing was ever sent. Otherwise the week was
 * cancelled, deleted or taken over, and the runner stops.
 */
async function closeUnsent(
  context: RunnerContext,
  job: WeekJob,
  execution: Execution,
  sent: boolean,
) {
  const { prisma } = context.database;
  const week = await prisma.week.findUnique({
    where: { id: job.weekId },
    select: { status: true, leaseOwner: true, collection: { select: { status: true } } },
  });
  if (week?.status !== "RUNNING" || week.leaseOwner !== context.owner) {
    throw new LeaseLostError(
      `Week ${job.weekId} was cancelled, deleted or taken over before submit.`,
    );
  }
  await prisma.$transaction(async (tx) => {
    if (sent) {
      // Listing found no execution, so the earlier create never took effect.
      await tx.execution.update({
        where: { id: execution.id },
        data: { status: "CANCELLED", statusReason: "Not submitted: the collection was paused." },
      });
      await scheduleWeekRetry(tx, job.weekId, context.owner, "Collection paused before submit.", 0);
    } else {
      await tx.execution.delete({ where: { id: execution.id } });
      await releaseUnsentClaim(tx, job.weekId, context.owner);
    }
  }, transactionOptions);
  context.logger.info(
    {
      weekId: job.weekId,
      collectionId: job.collectionId,
      collectionStatus: week.collection.status,
    },
    "claim given back unsent because the collection is not active",
  );
}

/**
 * Makes sure AMC has exactly one execution for the attempt and its id is stored. Returns the
 * AMC execution, or undefined when the runner must stop without polling.
 */
export async function submitExecution(
  context: RunnerContext,
  job: WeekJob,
  execution: Execution,
  signal: AbortSignal,
  /** True when `openFreshAttempt` made the row: the workflow exists and the gate is open. */
  opened = false,
  /**
   * True when a takeover found no row for its attempt. The row that `openFreshAttempt` inserts
   * commits asynchronously, so a database crash may have lost it after its create call went out.
   * Listing by workflow needs the workflow, which a crash may also have kept from being created.
   */
  rowWasMissing = false,
): Promise<AmcExecution | undefined> {
  let mayExist = !opened && execution.submittedAt !== null;
  if (!opened && (rowWasMissing || !mayExist)) {
    await ensureSavedWorkflow(context, job, execution, signal);
  }
  let workflowRecreated = false;
  for (let retry = 1; ; retry++) {
    signal.throwIfAborted();
    if (mayExist) {
      const found = await findSubmittedExecution(context, job, execution, signal);
      if (found) {
        return (await storeSubmitted(context, job, execution, found, "RECOVERED"))
          ? found
          : undefined;
      }
      await ensureSavedWorkflow(context, job, execution, signal);
    }
    if (!opened && !(await openSubmitGate(context, job, execution))) {
      await closeUnsent(context, job, execution, mayExist);
      return undefined;
    }
    opened = false;
    mayExist = true;
    try {
      const window = {
        timeWindowStart: execution.timeWindowStart,
        timeWindowEnd: execution.timeWindowEnd,
      };
      const created = await context.amc.createExecution(job.account, {
        amcInstanceId: job.amcInstanceId,
        workflowId: savedWorkflowId(job.weekId),
        ...window,
        timeWindowTimeZone: execution.timeWindowTimeZone,
        parameterValues: execution.parameterValues as Record<string, unknown>,
      });
      return (await storeSubmitted(context, job, execution, created, "SUBMITTED"))
        ? created
        : undefined;
    } catch (error) {
      if (!(error instanceof AmcApiError)) throw error;
      if (isMissingWorkflow(error) && !workflowRecreated) {
        // The cleanup sweep deleted the workflow of a week that a manual retry had just started.
        // AMC created nothing, so the workflow is created again and the call repeated.
        workflowRecreated = true;
        const message = `AMC no longer has saved workflow ${savedWorkflowId(job.weekId)}; creating it again.`;
        context.logger.warn({ weekId: job.weekId, executionId: execution.id }, message);
        await addEvent(context.database.prisma, execution.id, "RETRY", message, {
          operation: "createExecution",
          retry,
        });
        await ensureSavedWorkflow(context, job, execution, signal);
        mayExist = false;
        continue;
      }
      if (error.kind === "permanent" && !error.outcomeUnknown) {
        throw new SubmitRejectedError(`AMC rejected the execution: ${error.message}`, {
          cause: error,
        });
      }
      // Unknown outcome: list before any new create. Known failure: nothing was created.
      mayExist = error.outcomeUnknown;
      const backoffMs =
        error.retryAfterMs ??
        retryDelayMs(
          retry,
          context.settings.retryBaseDelayMs,
          context.settings.retryMaxDelayMs,
          context.random,
        );
      const delayMs = error.outcomeUnknown
        ? Math.max(backoffMs, unknownOutcomeWaitMs(context))
        : backoffMs;
      const message = `AMC createExecution failed (${error.message}); ${
        error.outcomeUnknown ? "checking AMC for the execution" : "retrying"
      } in ${delayMs} ms.`;
      context.logger.warn(
        {
          weekId: job.weekId,
          executionId: execution.id,
          delayMs,
          outcomeUnknown: error.outcomeUnknown,
        },
        message,
      );
      await addEvent(
        context.database.prisma,
        execution.id,
        error.kind === "throttled" ? "THROTTLED" : "RETRY",
        message,
        { operation: "createExecution", retry, delayMs, outcomeUnknown: error.outcomeUnknown },
      );
      await sleepScaled(context.settings, delayMs, signal);
    }
  }
}
