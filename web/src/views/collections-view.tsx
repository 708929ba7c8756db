"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useSubscription } from "urql";
import { CollectionsUpdatedSubscription, CollectionsQuery } from "@/api/documents.ts";
import { useLiveQuery } from "@/api/live.ts";
import { useRefresh } from "@/api/refresh.ts";
import type { CollectionStatus, CollectionSummary, Connection } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import { CollectionActions } from "@/components/collection-actions.tsx";
import { ProgressBar } from "@/components/progress-bar.tsx";
import { StatusBadge } from "@/components/status-badge.tsx";
import { formatDateTime, humanize } from "@/lib/format.ts";
import { useDebounced } from "@/lib/use-debounced.ts";

const pageSize = 25;
const statuses: CollectionStatus[] = ["ACTIVE", "PAUSED", "COMPLETED", "FAILED", "CANCELLED"];

interface CollectionsData {
  collections: Connection<CollectionSummary>;
}

interface CollectionUpdateEvent {
  collectionsUpdated: { id: string; deleted: boolean; collection: CollectionSummary | null };
}

function countLabel(count: number): string {
  return count === 1 ? "1 collection" : `${count} collections`;
}

/** Collections table with filters, live progress and the actions legal for each row. */
export function CollectionsView() {
  const [status, setStatus] = useState<CollectionStatus | "">("");
  const [search, setSearch] = useState("");
  const [after, setAfter] = useState<string | null>(null);
  const debouncedSearch = useDebounced(search.trim(), 300);
  const variables = {
    status: status === "" ? null : status,
    search: debouncedSearch === "" ? null : debouncedSearch,
    first: pageSize,
    after,
  };
  const [{ data, fetching, error }, reexecute] = useLiveQuery<CollectionsData, typeof variables>({
    query: CollectionsQuery,
    variables,
  });
  const refresh = useRefresh(fetching, reexecute);
  const shownIds = useRef(new Set<string>());
  shownIds.current = new Set(data?.collections.edges.map((edge) => edge.node.id));
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(refetchTimer.current ?? undefined), []);

  // Graphcache applies each event to the rows already shown. A collection created or deleted
  // elsewhere changes the rows themselves, so the list is fetched again, once per burst.
  useSubscription<CollectionUpdateEvent>(
    { query: CollectionsUpdatedSubscription },
    (_previous, event) => {
      const update = event.collectionsUpdated;
      const shown = shownIds.current.has(update.id);
      if ((update.deleted ? shown : !shown) && refetchTimer.current === null) {
        refetchTimer.current = setTimeout(() => {
          refetchTimer.current = null;
          refresh();
        }, 250);
      }
      return event;
    },
  );

  const collections = data?.collections;
  const rows = collections?.edges.map((edge) => edge.node) ?? [];
  const errorMessage = describeError(error);

  return (
    <>
      <div className="page-header">
        <h1>Collections</h1>
        <Link className="button" href="/collections/new">
          New collection
        </Link>
      </div>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as CollectionStatus | "");
              setAfter(null);
            }}
          >
            <option value="">All statuses</option>
            {statuses.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-search">Search by name</label>
          <input
            id="filter-search"
            type="search"
            value={search}
            placeholder="Name contains…"
            onChange={(event) => {
              setSearch(event.target.value);
              setAfter(null);
            }}
          />
        </div>
        <p className="muted" aria-live="polite">
          {collections ? countLabel(collections.totalCount ?? rows.length) : ""}
        </p>
      </form>
      {errorMessage && (
        <p className="notice notice-error" role="alert">
          {errorMessage}
        </p>
      )}
      {!data && fetching && <p aria-busy="true">Loading collections…</p>}
      {data && rows.length === 0 && (
        <p className="panel">
          No collections match. <Link href="/collections/new">Create one</Link>.
        </p>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="responsive" data-testid="collections-table">
            <caption className="visually-hidden">Collections</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Workflow</th>
                <th scope="col">Instance</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Date range</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((collection) => (
                <tr key={collection.id} data-testid="collection-row" data-name={collection.name}>
                  <td data-label="Name">
                    <Link href={`/collections/${encodeURIComponent(collection.id)}`}>
                      {collection.name}
                    </Link>
                  </td>
                  <td data-label="Workflow">{collection.workflow.name}</td>
                  <td data-label="Instance">{collection.instance.name}</td>
                  <td data-label="Status">
                    <StatusBadge status={collection.status} />
                  </td>
                  <td data-label="Progress">
                    <ProgressBar
                      progress={collection.progress}
                      label={`Progress of ${collection.name}`}
                    />
                  </td>
                  <td data-label="Date range">
                    {collection.startDate} – {collection.endDate}
                  </td>
                  <td data-label="Created">{formatDateTime(collection.createdAt)}</td>
                  <td data-label="Actions">
                    <CollectionActions collection={collection} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {collections?.pageInfo?.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            disabled={fetching}
            onClick={() => setAfter(collections.pageInfo?.endCursor ?? null)}
          >
            Show more
          </button>
        </p>
      )}
    </>
  );
}
