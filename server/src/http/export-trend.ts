import type { ServerResponse } from "node:http";
import type { Trend, TrendRequest } from "../results/trend.ts";
import { ResultQueryError } from "../results/types.ts";
import type { Aggregate } from "../results/weekly-stats.ts";
import { formatCsvLine } from "./csv-format.ts";
import type { ExportFormat } from "./export-results.ts";
import { writeChunk } from "./response-stream.ts";

// Export of a trend: the query parameters mirror Collection.trend's arguments
// (metric, aggregate, groupBy, top, from, to, and filterDimension with one or more
// filterValue). CSV has one line per series and week; JSON is the trend object.

const aggregates: readonly Aggregate[] = ["SUM", "AVG", "MIN", "MAX", "COUNT"];

/** Reads a trend request from export query parameters; raises ResultQueryError when invalid. */
export function parseTrendParameters(collectionId: string, params: URLSearchParams): TrendRequest {
  const metric = params.get("metric");
  if (!metric) {
    throw new ResultQueryError("The metric query parameter is missing: add ?metric=COLUMN.", [
      "metric",
    ]);
  }
  const aggregate = (params.get("aggregate") ?? "SUM").toUpperCase() as Aggregate;
  if (!aggregates.includes(aggregate)) {
    throw new ResultQueryError(
      `Invalid aggregate "${params.get("aggregate")}": expected one of ${aggregates.join(", ")}.`,
      ["aggregate"],
    );
  }
  const top = params.has("top") ? Number(params.get("top")) : undefined;
  const filterDimension = params.get("filterDimension");
  return {
    collectionIds: [collectionId],
    metric,
    aggregate,
    groupBy: params.get("groupBy"),
    top,
    from: params.get("from"),
    to: params.get("to"),
    filter: filterDimension
      ? { dimension: filterDimension, values: params.getAll("filterValue") }
      : null,
  };
}

/** Returns the series label written in the CSV: the value, "other", or the metric name. */
function seriesLabel(trend: Trend, series: Trend["series"][number]): string {
  if (series.isOther) return "other";
  return series.key ?? trend.metric;
}

/** Writes a trend to `res` as CSV or JSON. */
export async function writeTrend(
  trend: Trend,
  format: ExportFormat,
  res: ServerResponse,
): Promise<void> {
  if (format === "json") {
    await writeChunk(res, JSON.stringify(trend));
    return;
  }
  const lines = [
    formatCsvLine(["series", "is_other", "week_start", "iso_week", "partial", "status", "value"]),
  ];
  for (const series of trend.series) {
    for (const point of series.points) {
      lines.push(
        formatCsvLine([
          seriesLabel(trend, series),
          series.isOther,
          point.weekStart,
          point.isoWeek,
          point.partial,
          point.status,
          point.value,
        ]),
      );
    }
  }
  await writeChunk(res, lines.join(""));
}
