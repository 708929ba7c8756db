import type { PrismaClient } from "../generated/prisma/client.ts";
import {
  aggregateValue,
  combineStats,
  loadWeekStats,
  validateMetricQuery,
  type Aggregate,
  type DimensionFilter,
  type Stats,
} from "./weekly-stats.ts";
import { ResultQueryError } from "./types.ts";

/** An inclusive range of week start dates, YYYY-MM-DD. */
export interface Period {
  from: string;
  to: string;
}

/** A comparison request: one metric over two ranges of weeks. */
export interface CompareRequest {
  collectionIds: string[];
  metric: string;
  aggregate?: Aggregate;
  filter?: DimensionFilter | null;
  periodA: Period;
  periodB: Period;
}

/** A metric aggregated over the weeks of one period. */
export interface PeriodValue extends Period {
  /** Null when no week of the period has a result with the metric. */
  value: number | null;
  weekCount: number;
  /** Weeks whose result has the metric column. */
  weeksWithResult: number;
}

/** Two periods side by side; the changes go from A to B. */
export interface Comparison {
  metric: string;
  aggregate: Aggregate;
  periodA: PeriodValue;
  periodB: PeriodValue;
  /** B minus A; null when either value is missing. */
  absoluteChange: number | null;
  /** (B - A) / |A| x 100; null when either value is missing or A is 0. */
  percentChange: number | null;
}

/** Aggregates a metric over two ranges of weeks and returns the change from A to B. */
export async function compareMetric(
  prisma: PrismaClient,
  request: CompareRequest,
): Promise<Comparison> {
  const aggregate = request.aggregate ?? "SUM";
  const base = {
    collectionIds: request.collectionIds,
    metric: request.metric,
    filter: request.filter,
  };
  for (const [name, period] of [
    ["periodA", request.periodA],
    ["periodB", request.periodB],
  ] as const) {
    if (!period.from || !period.to) {
      throw new ResultQueryError(`${name} needs both from and to (YYYY-MM-DD week start dates).`, [
        name,
      ]);
    }
    await validateMetricQuery(prisma, { ...base, ...period }).catch((error: unknown) => {
      if (!(error instanceof ResultQueryError) || !["from", "to"].includes(error.field[0]!)) {
        throw error;
      }
      throw new ResultQueryError(`${name}: ${error.message}`, [name, ...error.field]);
    });
  }
  const periodA = await aggregatePeriod(prisma, { ...base, ...request.periodA }, aggregate);
  const periodB = await aggregatePeriod(prisma, { ...base, ...request.periodB }, aggregate);
  const bothPresent = periodA.value !== null && periodB.value !== null;
  const absoluteChange = bothPresent ? periodB.value! - periodA.value! : null;
  const percentChange =
    bothPresent && periodA.value !== 0 ? (absoluteChange! / Math.abs(periodA.value!)) * 100 : null;
  return { metric: request.metric, aggregate, periodA, periodB, absoluteChange, percentChange };
}

async function aggregatePeriod(
  prisma: PrismaClient,
  query: Omit<CompareRequest, "periodA" | "periodB" | "aggregate"> & Period,
  aggregate: Aggregate,
): Promise<PeriodValue> {
  const weeks = await loadWeekStats(prisma, query);
  let total: Stats | undefined;
  let weeksWithResult = 0;
  for (const week of weeks) {
    if (!week.hasMetric) continue;
    weeksWithResult++;
    const stats = week.byKey.get("");
    if (stats) total = combineStats(total, stats);
  }
  return {
    from: query.from,
    to: query.to,
    value: aggregateValue(total, aggregate, weeksWithResult > 0),
    weekCount: weeks.length,
    weeksWithResult,
  };
}
