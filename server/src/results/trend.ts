import type { PrismaClient } from "../generated/prisma/client.ts";
import {
  aggregateValue,
  combineStats,
  loadWeekStats,
  validateMetricQuery,
  type Aggregate,
  type MetricQuery,
  type Stats,
  type WeekStats,
} from "./weekly-stats.ts";
import { ResultQueryError } from "./types.ts";

/** A trend request: a metric, how to aggregate it, and optionally one series per value. */
export interface TrendRequest extends MetricQuery {
  aggregate?: Aggregate;
  /** With groupBy: the number of values kept as their own series; the rest become "other". */
  top?: number;
}

/** One week of a series; value is null for a week without a result (a gap, not a zero). */
export interface TrendPoint {
  weekStart: string;
  isoWeek: string;
  value: number | null;
  partial: boolean;
  status: string;
}

/** One line of a trend: the whole metric, one dimension value, or the other values summed. */
export interface TrendSeries {
  /** The dimension value, or null for the ungrouped series and for "other". */
  key: string | null;
  isOther: boolean;
  /** The aggregate over every week of the range, which also ranks grouped series. */
  total: number | null;
  points: TrendPoint[];
}

/** A metric over weeks. */
export interface Trend {
  metric: string;
  aggregate: Aggregate;
  groupBy: string | null;
  series: TrendSeries[];
}

/** Default and maximum number of grouped series before the rest are summed as "other". */
export const defaultTop = 10;
export const maxTop = 100;

/**
 * Computes a metric per week from the weekly summaries. With groupBy, the `top` values by
 * total (by count for COUNT) get their own series and the remaining values are combined
 * into one "other" series.
 */
export async function queryTrend(prisma: PrismaClient, request: TrendRequest): Promise<Trend> {
  const aggregate = request.aggregate ?? "SUM";
  const top = request.top ?? defaultTop;
  if (!Number.isInteger(top) || top < 1 || top > maxTop) {
    throw new ResultQueryError(`Invalid top ${top}: expected a whole number from 1 to ${maxTop}.`, [
      "top",
    ]);
  }
  await validateMetricQuery(prisma, request);
  const weeks = await loadWeekStats(prisma, request);
  const series = request.groupBy
    ? groupedSeries(weeks, aggregate, top)
    : [buildSeries(weeks, aggregate, null, false, (week) => week.byKey.get(""))];
  return { metric: request.metric, aggregate, groupBy: request.groupBy ?? null, series };
}

function buildSeries(
  weeks: WeekStats[],
  aggregate: Aggregate,
  key: string | null,
  isOther: boolean,
  statsOf: (week: WeekStats) => Stats | undefined,
): TrendSeries {
  let total: Stats | undefined;
  let anyMetric = false;
  const points = weeks.map((week) => {
    const stats = statsOf(week);
    if (stats) total = combineStats(total, stats);
    anyMetric ||= week.hasMetric;
    return {
      weekStart: week.weekStart,
      isoWeek: week.isoWeek,
      value: aggregateValue(stats, aggregate, week.hasMetric),
      partial: week.partial,
      status: week.status,
    };
  });
  return { key, isOther, total: aggregateValue(total, aggregate, anyMetric), points };
}

function groupedSeries(weeks: WeekStats[], aggregate: Aggregate, top: number): TrendSeries[] {
  const totals = new Map<string, Stats>();
  for (const week of weeks) {
    for (const [key, stats] of week.byKey) totals.set(key, combineStats(totals.get(key), stats));
  }
  const rank = (stats: Stats) => (aggregate === "COUNT" ? stats.count : (stats.sum ?? 0));
  const ranked = [...totals]
    .sort(([keyA, a], [keyB, b]) => rank(b) - rank(a) || (keyA < keyB ? -1 : 1))
    .map(([key]) => key);
  const topKeys = ranked.slice(0, top);
  const others = new Set(ranked.slice(top));

  const series = topKeys.map((key) =>
    buildSeries(weeks, aggregate, key, false, (week) => week.byKey.get(key)),
  );
  if (others.size > 0) {
    series.push(buildSeries(weeks, aggregate, null, true, (week) => combineKeys(week, others)));
  }
  return series;
}

function combineKeys(week: WeekStats, keys: Set<string>): Stats | undefined {
  let combined: Stats | undefined;
  for (const [key, stats] of week.byKey) {
    if (keys.has(key)) combined = combineStats(combined, stats);
  }
  return combined;
}
