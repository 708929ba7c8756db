import Link from "next/link";
import type { Week } from "@/api/types.ts";
import { formatDurationMs, formatNumber } from "@/lib/format.ts";
import { StatusBadge } from "./status-badge.tsx";

/** Table of a collection's weeks: dates, ISO week, status, attempts, duration, rows, error. */
export function WeekTable({ weeks }: { weeks: Week[] }) {
  return (
    <div className="table-wrap">
      <table className="responsive">
        <caption className="visually-hidden">Weeks of this collection</caption>
        <thead>
          <tr>
            <th scope="col">Week</th>
            <th scope="col">Dates</th>
            <th scope="col">Status</th>
            <th scope="col" className="number">
              Attempts
            </th>
            <th scope="col" className="number">
              Duration
            </th>
            <th scope="col" className="number">
              Rows
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.id} data-testid="week-row" data-status={week.status}>
              <td data-label="Week">
                <Link href={`/weeks/${encodeURIComponent(week.id)}`}>{week.isoWeek}</Link>
                {week.partial && <span className="muted"> (partial)</span>}
              </td>
              <td data-label="Dates">
                {week.startDate} – {week.endDate}
              </td>
              <td data-label="Status">
                <StatusBadge status={week.status} />
              </td>
              <td data-label="Attempts" className="number">
                {week.attempts}
              </td>
              <td data-label="Duration" className="number">
                {formatDurationMs(week.durationMs)}
              </td>
              <td data-label="Rows" className="number">
                {formatNumber(week.rowCount)}
              </td>
              <td data-label="Error" className="error-text">
                {week.errorMessage ?? ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
