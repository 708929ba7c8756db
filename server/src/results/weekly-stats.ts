import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";
import { checkDimension, checkMetric, listColumns, type CollectionColumn } from "./columns.ts";
import { ResultQueryError } from "./types.ts";

// Per-week aggregates of one metric, read from WeekMetric rows of current results only, so
// the cost depends on weeks x dimension values and not on the number of raw rows. Several
// collections of one workflow are combined week by week, matched by ISO week, because a
// collection whose range starts mid-week has a first week that starts after the Monday.

/** Aggregate function that a trend or comparison applies to a metric's values. */
export type Aggregate = "SUM" | "AVG" | "MIN" | "MAX" | "COUNT";

/** Week statuses, most in need of attention first; a combined week shows the first present. */
const statusPrecedence = ["RUNNING", "PENDING", "FAILED", "CANCELLED", "SKIPPED", "SUCCESS"];

/** Restricts a metric to some values of one dimension column. */
export interface DimensionFilter {
  dimension: string;
  values: string[];
}

/** Metric query: the metric, its collections, and optionally a dimension and a week range. */
export interface MetricQuery {
  collectionIds: string[];
  metric: string;
  /** Dimension column whose values become separate series. */
  groupBy?: string | null;
  filter?: DimensionFilter | null;
  /** Inclusive range of week start dates, YYYY-MM-DD. */
  from?: string | null;
  to?: string | null;
}

/** Sum, count, minimum and maximum of a metric, combinable across weeks and values. */
export interface Stats {
  sum: number | null;
  count: number;
  min: number | null;
  max: number | null;
}

/** One ISO week across the collections, with its metric stats by dimension value. */
export interface WeekStats {
  /** Earliest start date of the week among the collections. */
  weekStart: string;
  isoWeek: string;
  partial: boolean;
  status: string;
  /**
   * True when some collection's current result for the week has the metric column as a
   * number, or without any value (a header-only result).
   */
  hasMetric: boolean;
  /** Stats by dimension value; the key is "" without groupBy. */
  byKey: Map<string, Stats>;
}

/** Applies `combine` to two values of which either may be null (no values). */
function combineNullable(
  a: number | null,
  b: number | null,
  combine: (x: number, y: number) => number,
): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return combine(a, b);
}

/** Combines two stats; the first may be missing. */
export function combineStats(a: Stats | undefined, b: Stats): Stats {
  if (!a) return { ...b };
  return {
    sum: combineNullable(a.sum, b.sum, (x, y) => x + y),
    count: a.count + b.count,
    min: combineNullable(a.min, b.min, Math.min),
    max: combineNullable(a.max, b.max, Math.max),
  };
}

/**
 * Returns the aggregate of some stats. A week whose result has the metric column but no
 * matching values has SUM and COUNT 0, and no AVG, MIN or MAX. A week without a result, or
 * whose result lacks the column, has no value at all.
 */
export function aggregateValue(
  stats: Stats | undefined,
  aggregate: Aggregate,
  hasMetric: boolean,
): number | null {
  if (!hasMetric) return null;
  switch (aggregate) {
    case "SUM":
      return stats?.sum ?? 0;
    case "COUNT":
      return stats?.count ?? 0;
    case "AVG":
      return stats && stats.count > 0 && stats.sum !== null ? stats.sum / stats.count : null;
    case "MIN":
      return stats?.min ?? null;
    case "MAX":
      return stats?.max ?? null;
  }
}

/** Checks the collections and names in the query; raises ResultQueryError when one is wrong. */
export async function validateMetricQuery(
  prisma: PrismaClient,
  query: MetricQuery,
): Promise<CollectionColumn[]> {
  checkCollectionIds(query.collectionIds);
  const [, columns] = await Promise.all([
    checkCollections(prisma, query.collectionIds),
    listColumns(prisma, query.collectionIds),
  ]);
  for (const date of [query.from, query.to]) {
    if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new ResultQueryError(`Invalid date "${date}": expected YYYY-MM-DD.`, [
        date === query.from ? "from" : "to",
      ]);
    }
  }
  if (query.from && query.to && query.from > query.to) {
    throw new ResultQueryError(`Invalid range: ${query.from} is after ${query.to}.`, ["from"]);
  }
  checkMetric(columns, query.metric);
  if (query.groupBy) checkDimension(columns, query.groupBy, ["groupBy"]);
  if (query.filter) {
    checkDimension(columns, query.filter.dimension, ["filter", "dimension"]);
    if (query.groupBy && query.groupBy !== query.filter.dimension) {
      throw new ResultQueryError(
        `Cannot group by "${query.groupBy}" and filter on "${query.filter.dimension}": weekly ` +
          "summaries keep one dimension at a time, so filter on the grouped column or drop one.",
        ["filter", "dimension"],
      );
    }
  }
  return columns;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkCollectionIds(collectionIds: string[]): void {
  if (collectionIds.length === 0) {
    throw new ResultQueryError("Give at least one collection id.", ["collectionIds"]);
  }
  const invalid = collectionIds.find((id) => !uuidPattern.test(id));
  if (invalid !== undefined) {
    throw new ResultQueryError(`Collection ${invalid} not found: ids are uuids.`, [
      "collectionIds",
    ]);
  }
}

async function checkCollections(prisma: PrismaClient, collectionIds: string[]): Promise<void> {
  const collections = await prisma.collection.findMany({
    where: { id: { in: collectionIds } },
    select: { id: true, workflowId: true },
  });
  const missing = collectionIds.filter((id) => !collections.some((c) => c.id === id));
  if (missing.length > 0) {
    throw new ResultQueryError(`Collection ${missing.join(", ")} not found.`, ["collectionIds"]);
  }
  const workflows = new Set(collections.map((collection) => collection.workflowId));
  if (workflows.size > 1) {
    throw new ResultQueryError(
      "The collections run different workflows, so their columns cannot be combined; " +
        "give collections of one workflow.",
      ["collectionIds"],
    );
  }
}

interface StatsRow extends Stats {
  isoWeek: string;
  key: string;
}

interface WeekRow {
  weekStart: string;
  isoWeek: string;
  partial: boolean;
  status: string;
  hasMetric: boolean;
}

/** Loads the weeks of the collections and the metric's stats per week and dimension value. */
export async function loadWeekStats(
  prisma: PrismaClient,
  query: MetricQuery,
): Promise<WeekStats[]> {
  const ids = Prisma.join(query.collectionIds.map((id) => Prisma.sql`${id}::uuid`));
  const range = Prisma.sql`${query.from ? Prisma.sql`AND w."startDate" >= ${query.from}::date` : Prisma.empty}
    ${query.to ? Prisma.sql`AND w."startDate" <= ${query.to}::date` : Prisma.empty}`;
  const dimension = query.groupBy ?? query.filter?.dimension ?? "";
  const values = query.filter?.values.length
    ? Prisma.sql`AND wm."dimensionValue" IN (${Prisma.join(query.filter.values)})`
    : Prisma.empty;
  const keyColumn = query.groupBy ? Prisma.sql`wm."dimensionValue"` : Prisma.sql`''`;

  const weekQuery = prisma.$queryRaw<WeekRow[]>`
    SELECT w."startDate"::text AS "weekStart", w."isoWeek", w.partial, w.status::text AS status,
      EXISTS (
        SELECT 1 FROM jsonb_array_elements(w.summary->'columns') AS c(value)
        WHERE c.value->>'name' = ${query.metric}::text
          AND (c.value->>'type' IN ('integer', 'decimal') OR c.value->>'valueCount' = '0')
      ) AS "hasMetric"
    FROM "Week" w
    WHERE w."collectionId" IN (${ids}) ${range}
    ORDER BY w."startDate"`;
  const statsQuery = prisma.$queryRaw<StatsRow[]>`
    SELECT w."isoWeek", ${keyColumn} AS key,
      sum(wm.sum)::float8 AS sum, sum(wm.count)::float8 AS count,
      min(wm.min)::float8 AS min, max(wm.max)::float8 AS max
    FROM "WeekMetric" wm JOIN "Week" w ON w."currentResultId" = wm."resultSetId"
    WHERE wm."collectionId" IN (${ids}) AND wm.metric = ${query.metric}
      AND wm.dimension = ${dimension} ${values} ${range}
    GROUP BY 1, 2`;
  const [weekRows, statsRows] = await Promise.all([weekQuery, statsQuery]);
  return mergeWeeks(weekRows, statsRows);
}

function mergeWeeks(weekRows: WeekRow[], statsRows: StatsRow[]): WeekStats[] {
  const weeks = new Map<string, WeekStats>();
  for (const row of weekRows) {
    const week = weeks.get(row.isoWeek);
    if (!week) {
      weeks.set(row.isoWeek, { ...row, byKey: new Map() });
      continue;
    }
    week.partial ||= row.partial;
    week.hasMetric ||= row.hasMetric;
    if (statusPrecedence.indexOf(row.status) < statusPrecedence.indexOf(week.status)) {
      week.status = row.status;
    }
  }
  for (const { isoWeek, key, ...stats } of statsRows) {
    const week = weeks.get(isoWeek);
    if (week) week.byKey.set(key, combineStats(week.byKey.get(key), stats));
  }
  return [...weeks.values()];
}
