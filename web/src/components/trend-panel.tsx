"use client";

import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { ColumnsQuery, TrendQuery } from "@/api/documents.ts";
import { useRefresh } from "@/api/refresh.ts";
import type { ResultColumn, UserError } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import type { TrendPoint } from "@/lib/chart-geometry.ts";
import { formatNumber } from "@/lib/format.ts";
import { ComparePanel } from "./compare-panel.tsx";
import { TrendChart } from "./trend-chart.tsx";

interface ColumnsData {
  collection: { id: string; columns: ResultColumn[] } | null;
}

interface ServerSeries {
  key: string | null;
  isOther: boolean;
  total: number | null;
  points: TrendPoint[];
}

interface TrendData {
  collection: {
    id: string;
    trend: { trend: { series: ServerSeries[] } | null; userErrors: UserError[] };
  } | null;
}

const aggregates = ["SUM", "AVG", "MIN", "MAX", "COUNT"] as const;
const numericTypes = new Set(["INTEGER", "DECIMAL"]);

function seriesName(series: ServerSeries, metric: string): string {
  if (series.isOther) return "other";
  return series.key ?? metric;
}

/**
 * Metric, aggregate and group-by pickers over the trend chart. The trend is fetched again when
 * `resultVersion` (the count of succeeded weeks) changes, so new results appear as they land.
 */
export function TrendPanel(props: {
  collectionId: string;
  resultVersion: number;
  weekStarts: string[];
}) {
  const { collectionId, resultVersion } = props;
  const [{ data: columnsData, fetching: columnsFetching }, refetchColumns] = useQuery<ColumnsData>({
    query: ColumnsQuery,
    variables: { id: collectionId },
  });
  const columns = columnsData?.collection?.columns ?? [];
  const metrics = columns.filter((column) => numericTypes.has(column.type));
  const dimensions = columns.filter((column) => column.isDimension);

  const [metricChoice, setMetric] = useState("");
  const [aggregate, setAggregate] = useState<(typeof aggregates)[number]>("SUM");
  const [groupBy, setGroupBy] = useState("");
  // Identifier columns (campaign_id, advertiser_id) are numbers but summing them means nothing,
  // so the default is the first numeric column that is not one.
  const defaultMetric = metrics.find((column) => !/(^|_)id$/i.test(column.name)) ?? metrics[0];
  const metric = metricChoice || defaultMetric?.name || "";

  const [{ data, error, fetching }, refetchTrend] = useQuery<TrendData>({
    query: TrendQuery,
    variables: { id: collectionId, metric, aggregate, groupBy: groupBy || null },
    pause: metric === "",
  });

  const refreshColumns = useRefresh(columnsFetching, refetchColumns);
  const refreshTrend = useRefresh(fetching, refetchTrend);
  useEffect(() => {
    if (resultVersion === 0) return;
    refreshColumns();
    if (metric !== "") refreshTrend();
  }, [resultVersion]);

  if (columnsData && metrics.length === 0) {
    return (
      <p className="muted">
        No numeric result columns yet; the chart appears when the first week succeeds.
      </p>
    );
  }
  const trend = data?.collection?.trend;
  const series = (trend?.trend?.series ?? []).map((line) => ({
    name: seriesName(line, metric),
    points: line.points,
  }));
  const message =
    describeError(error) ??
    (trend?.userErrors.map((userError) => userError.message).join(" ") || null);

  return (
    <div data-testid="trend-panel">
      <div className="filters">
        <div className="field">
          <label htmlFor="trend-metric">Metric</label>
          <select
            id="trend-metric"
            value={metric}
            onChange={(event) => setMetric(event.target.value)}
          >
            {metrics.map((column) => (
              <option key={column.name} value={column.name}>
                {column.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="trend-aggregate">Aggregate</label>
          <select
            id="trend-aggregate"
            value={aggregate}
            onChange={(event) => setAggregate(event.target.value as (typeof aggregates)[number])}
          >
            {aggregates.map((value) => (
              <option key={value} value={value}>
                {value.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="trend-group-by">Group by</label>
          <select
            id="trend-group-by"
            value={groupBy}
            onChange={(event) => setGroupBy(event.target.value)}
          >
            <option value="">No grouping</option>
            {dimensions.map((column) => (
              <option key={column.name} value={column.name}>
                {column.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {message && <p className="error-text">{message}</p>}
      {!data && fetching && <p aria-busy="true">Loading trend…</p>}
      {series.length > 0 && (
        <>
          <TrendChart series={series} title={`${aggregate.toLowerCase()} of ${metric} per week`} />
          <details>
            <summary>Show the values as a table</summary>
            <TrendTable series={series} />
          </details>
        </>
      )}
      <h3>Compare periods</h3>
      <ComparePanel
        collectionId={collectionId}
        metric={metric}
        aggregate={aggregate}
        weekStarts={props.weekStarts}
        resultVersion={resultVersion}
      />
    </div>
  );
}

function TrendTable({ series }: { series: { name: string; points: TrendPoint[] }[] }) {
  const weeks = series[0]?.points ?? [];
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Week</th>
            {series.map((line) => (
              <th key={line.name} scope="col" className="number">
                {line.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, index) => (
            <tr key={week.isoWeek}>
              <th scope="row">
                {week.isoWeek}
                {week.partial ? " (partial)" : ""}
              </th>
              {series.map((line) => (
                <td key={line.name} className="number">
                  {line.points[index]?.value === null
                    ? "no result"
                    : formatNumber(line.points[index]?.value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
