"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useMutation, useSubscription } from "urql";
import { RetryWeekMutation, WeekQuery, WeekUpdatedSubscription } from "@/api/documents.ts";
import { useLiveQuery } from "@/api/live.ts";
import { useRefresh } from "@/api/refresh.ts";
import type { UserError, Week } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import { ResultPreview, type ResultPreviewData } from "@/components/result-preview.tsx";
import { SqlView } from "@/components/sql-view.tsx";
import { StaleNotice } from "@/components/stale-notice.tsx";
import { StatusBadge } from "@/components/status-badge.tsx";
import { Timeline, type TimelineEvent } from "@/components/timeline.tsx";
import { formatDateTime, formatDurationMs, formatNumber } from "@/lib/format.ts";

interface Execution {
  id: string;
  attempt: number;
  amcExecutionId: string | null;
  status: string;
  statusReason: string | null;
  sql: string;
  timeWindowStart: string;
  timeWindowEnd: string;
  submittedAt: string | null;
  finishedAt: string | null;
  timeline: TimelineEvent[];
}

interface WeekData {
  week:
    | (Week & {
        collection: { id: string; name: string; status: string; version: number };
        executions: Execution[];
        result: ResultPreviewData | null;
      })
    | null;
}

interface RetryPayload {
  retryWeek: { week: Week | null; userErrors: UserError[] };
}

const retryableStatuses = new Set(["FAILED", "SKIPPED", "CANCELLED", "SUCCESS"]);

function ExecutionDetails({ execution, open }: { execution: Execution; open: boolean }) {
  return (
    <details open={open} className="panel">
      <summary>
        Attempt {execution.attempt} · <StatusBadge status={execution.status} />
      </summary>
      <dl className="facts" style={{ marginTop: 12 }}>
        <dt>AMC execution id</dt>
        <dd>
          <code data-testid="amc-execution-id">
            {execution.amcExecutionId ?? "not assigned yet"}
          </code>
        </dd>
        <dt>Time window</dt>
        <dd>
          {execution.timeWindowStart} to {execution.timeWindowEnd} (end exclusive)
        </dd>
        <dt>Submitted</dt>
        <dd>{formatDateTime(execution.submittedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(execution.finishedAt)}</dd>
        {execution.statusReason && (
          <>
            <dt>Reason</dt>
            <dd className="error-text" data-testid="status-reason">
              {execution.statusReason}
            </dd>
          </>
        )}
      </dl>
      <h3>Rendered SQL</h3>
      <SqlView sql={execution.sql} label={`SQL of attempt ${execution.attempt}`} />
      <h3>Timeline</h3>
      <Timeline events={execution.timeline} label={`Timeline of attempt ${execution.attempt}`} />
    </details>
  );
}

/** Week detail: status, timings, every attempt with SQL and timeline, first rows, retry. */
export function WeekView({ id }: { id: string }) {
  const [{ data, fetching, error }, reexecute] = useLiveQuery<WeekData, { id: string }>({
    query: WeekQuery,
    variables: { id },
  });
  const week = data?.week;
  const collectionId = week?.collection.id;
  useSubscription({
    query: WeekUpdatedSubscription,
    variables: { collectionId: collectionId ?? "" },
    pause: !collectionId,
  });
  // Events carry the week itself; attempts, timelines and rows are fetched again when it changes.
  const refresh = useRefresh(fetching, reexecute);
  const version = week?.version;
  useEffect(() => {
    if (version !== undefined) refresh();
  }, [version, refresh]);

  const [retryState, retry] = useMutation<RetryPayload>(RetryWeekMutation);
  const [retryMessage, setRetryMessage] = useState<string | null>(null);

  // After a failed refresh the cache still has the last known state, which stays on screen.
  const message = describeError(error);
  if (message && !data) {
    return (
      <p className="notice notice-error" role="alert">
        {message}
      </p>
    );
  }
  if (!data) return <p aria-busy={fetching}>Loading week…</p>;
  if (!week) return <p className="notice">No week has the id {id}.</p>;

  const onRetry = async () => {
    setRetryMessage(null);
    const result = await retry({ id: week.id, force: week.status === "SUCCESS" });
    const problem =
      describeError(result.error) ??
      result.data?.retryWeek.userErrors.map((userError) => userError.message).join(" ");
    if (problem) setRetryMessage(problem);
  };

  const executions = [...week.executions].reverse();
  return (
    <>
      <StaleNotice message={message} />
      <p>
        <Link href={`/collections/${encodeURIComponent(week.collection.id)}`}>
          ← {week.collection.name}
        </Link>
      </p>
      <div className="page-header">
        <h1>
          {week.isoWeek}{" "}
          <span className="muted">
            ({week.startDate} – {week.endDate})
          </span>
        </h1>
        <StatusBadge status={week.status} />
      </div>
      <section className="panel" aria-label="Summary">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="week-status">{week.status}</dd>
          <dt>Attempts</dt>
          <dd>{week.attempts}</dd>
          <dt>Partial week</dt>
          <dd>{week.partial ? "yes, the range cuts it short" : "no"}</dd>
          <dt>Started</dt>
          <dd>{formatDateTime(week.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatDateTime(week.finishedAt)}</dd>
          <dt>Duration</dt>
          <dd>{formatDurationMs(week.durationMs)}</dd>
          <dt>Rows</dt>
          <dd>{formatNumber(week.rowCount)}</dd>
          {week.errorMessage && (
            <>
              <dt>Error</dt>
              <dd className="error-text" data-testid="week-error">
                {week.errorMessage}
              </dd>
            </>
          )}
        </dl>
        {retryableStatuses.has(week.status) && (
          <div className="actions" style={{ marginTop: 12 }}>
            <button type="button" onClick={onRetry} disabled={retryState.fetching}>
              {week.status === "SUCCESS" ? "Run again" : "Retry week"}
            </button>
            {retryMessage && (
              <span className="error-text" role="alert">
                {retryMessage}
              </span>
            )}
          </div>
        )}
      </section>
      <h2>Attempts</h2>
      {executions.length === 0 && <p className="muted">The week has not run yet.</p>}
      {executions.map((execution, index) => (
        <ExecutionDetails key={execution.id} execution={execution} open={index === 0} />
      ))}
      <h2>First rows</h2>
      {week.result ? (
        <ResultPreview result={week.result} />
      ) : (
        <p className="muted">No stored result.</p>
      )}
    </>
  );
}
