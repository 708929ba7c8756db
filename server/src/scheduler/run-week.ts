import {
  AmcApiError,
  terminalAmcStatuses,
  type AmcExecution,
  type AmcExecutionStatus,
} from "../amc/types.ts";
import { DomainValidationError } from "../domain/errors.ts";
import { callAmcWithRetry } from "./amc-step.ts";
import { pollIntervalMs } from "./backoff.ts";
import { LeaseLostError, sleepScaled, type RunnerContext } from "./context.ts";
import {
  finishFailed,
  finishSucceeded,
  type FinishEvent,
  type SettleCollection,
} from "./finish.ts";
import type { WeekJob } from "./job.ts";
import { cancelLeftoverExecutions } from "./cancel.ts";
import { utcNow } from "./sql.ts";
import {
  hasActiveOlderExecution,
  openFreshAttempt,
  prepareExecution,
  SubmitRejectedError,
  submitExecution,
} from "./submit.ts";
import { addEvent } from "./timeline.ts";

// One week attempt from claim to finish. Every step starts from the rows in the database, so the
// same function resumes a week after a crash or a takeover. A SUBMITTING row is submitted or
// found again, a known AMC execution is polled, and a finished one has its result stored again.

/** Execution row fields that polling keeps current. */
interface PolledExecution {
  id: string;
  amcExecutionId: string;
  status: AmcExecutionStatus;
  /** When AMC got the execution; polling intervals grow with the time since. */
  submittedAtMs: number;
}

/** Builds the STATUS timeline event of a change from the stored status to the polled one. */
function statusEvent(execution: PolledExecution, polled: AmcExecution): FinishEvent {
  const reason = polled.statusReason ? `: ${polled.statusReason}` : "";
  return {
    at: new Date().toISOString(),
    kind: "STATUS",
    message: `AMC status ${execution.status} → ${polled.status}${reason}.`,
    data: { from: execution.status, to: polled.status },
  };
}

/** Stores a new AMC status and its timeline event in one statement. */
async function recordStatus(
  context: RunnerContext,
  execution: PolledExecution,
  polled: AmcExecution,
): Promise<void> {
  const event = statusEvent(execution, polled);
  // A terminal status is stored when the week finishes, together with the week.
  const storedStatus = terminalAmcStatuses.has(polled.status) ? execution.status : polled.status;
  await context.database.prisma.$executeRawUnsafe(
    `WITH changed AS (
       UPDATE "Execution" SET status = $2::"ExecutionStatus", "lastPolledAt" = ${utcNow},
         "startedAt" = CASE WHEN $3 THEN COALESCE("startedAt", ${utcNow}) ELSE "startedAt" END,
         "updatedAt" = ${utcNow}
       WHERE id = $1::uuid AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED')
     )
     INSERT INTO "ExecutionEvent" (id, "executionId", at, kind, message, data)
     VALUES (gen_random_uuid(), $1::uuid, ${utcNow}, 'STATUS', $4, $5::jsonb)`,
    execution.id,
    storedStatus,
    polled.status === "RUNNING",
    event.message,
    JSON.stringify(event.data),
  );
}

/**
 * Polls AMC until the execution is terminal, with intervals that grow with its age. The change to
 * SUCCEEDED is not stored here: `finishSucceeded` stores it with the result, which saves a
 * statement per week.
 */
async function pollUntilTerminal(
  context: RunnerContext,
  job: WeekJob,
  execution: PolledExecution,
  signal: AbortSignal,
): Promise<{ final: AmcExecution; lastStatus?: FinishEvent }> {
  const { settings } = context;
  for (;;) {
    const ageMs = Date.now() * settings.timeScale - execution.submittedAtMs * settings.timeScale;
    const waitMs = pollIntervalMs(ageMs, settings.pollIntervalMinMs, settings.pollIntervalMaxMs);
    await sleepScaled(settings, waitMs, signal);
    const polled = await callAmcWithRetry(context, execution.id, "getExecution", signal, () =>
      context.amc.getExecution(job.account, job.amcInstanceId, execution.amcExecutionId),
    );
    let lastStatus: FinishEvent | undefined;
    if (polled.status !== execution.status) {
      if (polled.status === "SUCCEEDED") lastStatus = statusEvent(execution, polled);
      else await recordStatus(context, execution, polled);
      execution.status = polled.status;
    }
    if (terminalAmcStatuses.has(polled.status)) return { final: polled, lastStatus };
  }
}

/** Runs the claimed week to a finish, or until its lease is lost or the scheduler stops. */
export async function runWeek(
  context: RunnerContext,
  job: WeekJob,
  settleCollection: SettleCollection,
  signal: AbortSignal,
): Promise<void> {
  if (job.attempt > 1 && (await hasActiveOlderExecution(context, job))) {
    await cancelLeftoverExecutions(context, job.weekId, signal);
  }
  let execution;
  let opened = false;
  let rowWasMissing = false;
  try {
    const fresh = job.fresh ? await openFreshAttempt(context, job) : undefined;
    opened = fresh !== undefined;
    if (fresh) {
      execution = fresh;
    } else {
      // A takeover's attempt may have reached AMC even when its row is missing.
      const prepared = await prepareExecution(context, job, !job.fresh);
      execution = prepared.execution;
      rowWasMissing = prepared.created && !job.fresh;
    }
  } catch (error) {
    if (!(error instanceof DomainValidationError)) throw error;
    await finishFailed(context, job, undefined, "SUBMIT_REJECTED", error.message, settleCollection);
    return;
  }

  let amcExecutionId = execution.amcExecutionId;
  let status = execution.status as AmcExecutionStatus | "SUBMITTING";
  if (status === "SUBMITTING" || amcExecutionId === null) {
    let submitted;
    try {
      submitted = await submitExecution(context, job, execution, signal, opened, rowWasMissing);
    } catch (error) {
      if (!(error instanceof SubmitRejectedError)) throw error;
      await finishFailed(
        context,
        job,
        execution.id,
        "SUBMIT_REJECTED",
        error.message,
        settleCollection,
      );
      return;
    }
    if (!submitted) return;
    amcExecutionId = submitted.workflowExecutionId;
    status = terminalAmcStatuses.has(submitted.status) ? "PENDING" : submitted.status;
  } else if (execution.status !== "SUCCEEDED") {
    await addEvent(
      context.database.prisma,
      execution.id,
      "TAKEOVER",
      `Lease owner ${context.owner} resumed polling ${amcExecutionId}.`,
    );
  }

  try {
    await awaitResult(context, job, execution, amcExecutionId, status, settleCollection, signal);
  } catch (error) {
    // AMC refused a call outright (a 404 for the execution, an expired download URL): the
    // attempt fails and, when attempts remain, the week runs again from a new execution.
    if (!(error instanceof AmcApiError) || error.kind !== "permanent") throw error;
    if (error.httpStatus === 404 && !job.fresh) {
      // An earlier server process submitted it, and AMC no longer has it. The local sandbox
      // keeps executions in memory and loses them when it restarts with the server.
      const reason =
        `AMC no longer has execution ${amcExecutionId}, which an earlier server process ` +
        "submitted; the week runs again without using up an attempt.";
      await finishFailed(context, job, execution.id, "FAILED", reason, settleCollection, true);
      return;
    }
    const reason = `AMC call failed for execution ${amcExecutionId}: ${error.message}`;
    await finishFailed(context, job, execution.id, "FAILED", reason, settleCollection);
  }
}

/** Polls the execution to a terminal status, then stores its result or fails the attempt. */
async function awaitResult(
  context: RunnerContext,
  job: WeekJob,
  execution: { id: string; submittedAt: Date | null },
  amcExecutionId: string,
  status: AmcExecutionStatus,
  settleCollection: SettleCollection,
  signal: AbortSignal,
): Promise<void> {
  let final: AmcExecution;
  let lastStatus: FinishEvent | undefined;
  if (status === "SUCCEEDED") {
    final = { workflowExecutionId: amcExecutionId, workflowId: "", status };
  } else {
    const polled: PolledExecution = {
      id: execution.id,
      amcExecutionId,
      status,
      submittedAtMs: (execution.submittedAt ?? new Date()).getTime(),
    };
    ({ final, lastStatus } = await pollUntilTerminal(context, job, polled, signal));
  }
  signal.throwIfAborted();
  if (final.status === "SUCCEEDED") {
    const finishing = { id: execution.id, amcExecutionId, lastStatus };
    await finishSucceeded(context, job, finishing, settleCollection, signal);
    return;
  }
  const reason = final.statusReason ?? `AMC execution ${amcExecutionId} ended ${final.status}.`;
  await finishFailed(context, job, execution.id, final.status, reason, settleCollection);
}

/** Returns true for errors that end a runner quietly: its lease is gone or it was stopped. */
export function isRunnerStop(error: unknown, signal: AbortSignal): boolean {
  return error instanceof LeaseLostError || (signal.aborted && error === signal.reason);
}
