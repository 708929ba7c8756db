"use client";

import { useSubscription } from "urql";
import {
  CollectionQuery,
  CollectionUpdatedSubscription,
  WeekUpdatedSubscription,
} from "@/api/documents.ts";
import { useLiveQuery } from "@/api/live.ts";
import { useApiRouteUrl } from "@/api/provider.tsx";
import type { CollectionSummary, Week } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import { CollectionActions } from "@/components/collection-actions.tsx";
import { ProgressBar } from "@/components/progress-bar.tsx";
import { StaleNotice } from "@/components/stale-notice.tsx";
import { StatusBadge } from "@/components/status-badge.tsx";
import { TrendPanel } from "@/components/trend-panel.tsx";
import { WeekGrid } from "@/components/week-grid.tsx";
import { WeekTable } from "@/components/week-table.tsx";
import { formatDateTime, formatDurationMs } from "@/lib/format.ts";

interface CollectionData {
  collection:
    | (CollectionSummary & {
        parameters: Record<string, unknown>;
        averageWeekDurationMs: number | null;
        weeks: { totalCount: number; nodes: Week[] };
      })
    | null;
}

const countLabels = [
  ["pending", "Pending"],
  ["running", "Running"],
  ["succeeded", "Succeeded"],
  ["failed", "Failed"],
  ["skipped", "Skipped"],
  ["cancelled", "Cancelled"],
] as const;

/** Collection detail: header, live week grid and table, actions, trend and comparison. */
export function CollectionView({ id }: { id: string }) {
  const [{ data, fetching, error }] = useLiveQuery<CollectionData, { id: string }>({
    query: CollectionQuery,
    variables: { id },
  });
  useSubscription({ query: CollectionUpdatedSubscription, variables: { id } });
  useSubscription({ query: WeekUpdatedSubscription, variables: { collectionId: id } });
  const exportUrl = useApiRouteUrl(`/export/collections/${encodeURIComponent(id)}.csv`);

  // After a failed refresh the cache still has the last known state, which stays on screen.
  const message = describeError(error);
  if (message && !data) {
    return (
      <p className="notice notice-error" role="alert">
        {message}
      </p>
    );
  }
  if (!data) return <p aria-busy={fetching}>Loading collection…</p>;
  const collection = data.collection;
  if (!collection) return <p className="notice">No collection has the id {id}.</p>;

  const weeks = collection.weeks.nodes;
  const { progress } = collection;
  return (
    <>
      <StaleNotice message={message} />
      <div className="page-header">
        <div>
          <h1>{collection.name}</h1>
          <p className="muted">
            {collection.workflow.name} on {collection.instance.name} · {collection.startDate} –{" "}
            {collection.endDate} ({collection.timezone}) · created{" "}
            {formatDateTime(collection.createdAt)}
          </p>
        </div>
        <StatusBadge status={collection.status} />
      </div>
      <section className="panel" aria-label="Progress">
        <ProgressBar progress={progress} label={`Progress of ${collection.name}`} />
        <ul className="counts" aria-label="Weeks by status" data-testid="status-counts">
          {countLabels.map(([key, label]) => (
            <li key={key} data-count={key}>
              {label}: <strong>{progress[key]}</strong>
            </li>
          ))}
          <li>
            Average week: <strong>{formatDurationMs(collection.averageWeekDurationMs)}</strong>
          </li>
        </ul>
        <div className="actions" style={{ marginTop: 12 }}>
          <CollectionActions collection={collection} />
          <a className="button secondary" href={exportUrl} download>
            Export CSV
          </a>
        </div>
      </section>
      <section className="panel" aria-labelledby="weeks-heading">
        <h2 id="weeks-heading">Weeks</h2>
        <WeekGrid weeks={weeks} label={`Weeks of ${collection.name}; use the arrow keys to move`} />
        {collection.weeks.totalCount > weeks.length && (
          <p className="muted">
            Showing the first {weeks.length} of {collection.weeks.totalCount} weeks.
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trend</h2>
        <TrendPanel
          collectionId={collection.id}
          resultVersion={progress.succeeded}
          weekStarts={weeks.map((week) => week.startDate)}
        />
      </section>
      <section className="panel" aria-labelledby="week-table-heading">
        <h2 id="week-table-heading">Week table</h2>
        <WeekTable weeks={weeks} />
      </section>
    </>
  );
}
