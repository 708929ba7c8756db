import { builder } from "../builder.ts";
import { parseGlobalId } from "../ids.ts";
import { listColumns, type CollectionColumn } from "../../results/columns.ts";
import { compareMetric, type Comparison, type PeriodValue } from "../../results/compare.ts";
import {
  defaultTop,
  queryTrend,
  type Trend,
  type TrendPoint,
  type TrendSeries,
} from "../../results/trend.ts";
import { ResultQueryError } from "../../results/types.ts";
import type { Aggregate } from "../../results/weekly-stats.ts";
import { CollectionRef } from "./collection.ts";
import { WeekStatusEnum } from "./enums.ts";
import { UserErrorRef, type UserError } from "./user-error.ts";

// Trend fields: result columns, weekly trends and period comparisons of one collection
// (fields on Collection) or of several collections of one workflow (fields on Query). They
// read weekly summaries, never raw rows. A request naming a missing column or an invalid
// range gets `userErrors` whose message lists the columns it could use.

export const ResultColumnTypeEnum = builder.enumType("ResultColumnType", {
  description: "Type of a result column, inferred from its values.",
  values: {
    INTEGER: { value: "integer", description: "Whole numbers." },
    DECIMAL: { value: "decimal", description: "Numbers with a fraction or an exponent." },
    STRING: { value: "string", description: "Text, or a column without values." },
    BOOLEAN: { value: "boolean", description: "true or false." },
    DATE: { value: "date", description: "ISO 8601 dates or timestamps, kept as text." },
  } as const,
});

const AggregateEnum = builder.enumType("TrendAggregate", {
  description: "How a trend combines a metric's values within a week or period.",
  values: {
    SUM: { description: "Total; 0 for a week whose result has the column but no values." },
    AVG: { description: "Mean of the non-empty values." },
    MIN: { description: "Smallest value." },
    MAX: { description: "Largest value." },
    COUNT: { description: "Number of non-empty values." },
  } as const,
});

const ResultColumnRef = builder.objectRef<CollectionColumn>("ResultColumn").implement({
  description: "A result column seen in the current results of the weeks.",
  fields: (t) => ({
    name: t.exposeString("name"),
    type: t.field({
      type: ResultColumnTypeEnum,
      description: "Type across weeks: integer and decimal mix to DECIMAL, other mixes to STRING.",
      resolve: (column) => column.type,
    }),
    weekCount: t.exposeInt("weekCount", { description: "Weeks whose result has the column." }),
    isDimension: t.exposeBoolean("isDimension", {
      description: "True when trends can group or filter by the column's values.",
    }),
    isMetric: t.exposeBoolean("isMetric", {
      description:
        "True when trends can aggregate the column: it is numeric in at least one week. Weeks where a non-numeric value made it text are gaps.",
    }),
  }),
});

const TrendPointRef = builder.objectRef<TrendPoint>("TrendPoint").implement({
  description: "A metric in one week.",
  fields: (t) => ({
    weekStart: t.field({ type: "Date", resolve: (point) => point.weekStart }),
    isoWeek: t.exposeString("isoWeek", { description: "ISO 8601 week label, e.g. 2025-W01." }),
    value: t.exposeFloat("value", {
      nullable: true,
      description: "Null when the week has no result with the column: a gap, not a zero.",
    }),
    partial: t.exposeBoolean("partial", {
      description: "True when the collection's range cuts the week to fewer than seven days.",
    }),
    status: t.field({
      type: WeekStatusEnum,
      description: "Status of the week; over several collections, the least finished one.",
      resolve: (point) => point.status as typeof WeekStatusEnum.$inferType,
    }),
  }),
});

const TrendSeriesRef = builder.objectRef<TrendSeries>("TrendSeries").implement({
  description: "One line of a trend.",
  fields: (t) => ({
    key: t.exposeString("key", {
      nullable: true,
      description: "The dimension value; null for an ungrouped trend and for the other values.",
    }),
    isOther: t.exposeBoolean("isOther", {
      description: "True for the series combining the values beyond `top`.",
    }),
    total: t.exposeFloat("total", {
      nullable: true,
      description: "The aggregate over every week; grouped series are ranked by it.",
    }),
    points: t.field({ type: [TrendPointRef], resolve: (series) => series.points }),
  }),
});

const TrendRef = builder.objectRef<Trend>("Trend").implement({
  description: "A metric week by week, from the weekly summaries.",
  fields: (t) => ({
    metric: t.exposeString("metric"),
    aggregate: t.field({ type: AggregateEnum, resolve: (trend) => trend.aggregate }),
    groupBy: t.exposeString("groupBy", { nullable: true }),
    series: t.field({ type: [TrendSeriesRef], resolve: (trend) => trend.series }),
  }),
});

const PeriodValueRef = builder.objectRef<PeriodValue>("PeriodValue").implement({
  description: "A metric aggregated over a range of weeks.",
  fields: (t) => ({
    from: t.field({ type: "Date", resolve: (period) => period.from }),
    to: t.field({ type: "Date", resolve: (period) => period.to }),
    value: t.exposeFloat("value", {
      nullable: true,
      description: "Null when no week of the range has a result with the column.",
    }),
    weekCount: t.exposeInt("weekCount", { description: "Weeks starting in the range." }),
    weeksWithResult: t.exposeInt("weeksWithResult", {
      description: "Weeks whose result has the column.",
    }),
  }),
});

const ComparisonRef = builder.objectRef<Comparison>("Comparison").implement({
  description: "A metric over two ranges of weeks; the changes go from A to B.",
  fields: (t) => ({
    metric: t.exposeString("metric"),
    aggregate: t.field({ type: AggregateEnum, resolve: (comparison) => comparison.aggregate }),
    periodA: t.field({ type: PeriodValueRef, resolve: (comparison) => comparison.periodA }),
    periodB: t.field({ type: PeriodValueRef, resolve: (comparison) => comparison.periodB }),
    absoluteChange: t.exposeFloat("absoluteChange", {
      nullable: true,
      description: "B minus A; null when either is missing.",
    }),
    percentChange: t.exposeFloat("percentChange", {
      nullable: true,
      description: "(B - A) / |A| x 100; null when either is missing or A is 0.",
    }),
  }),
});

/** A query result or the user errors that prevented it. */
interface QueryResult<T> {
  value: T | null;
  userErrors: UserError[];
}

const TrendResultRef = builder.objectRef<QueryResult<Trend>>("TrendResult").implement({
  description: "A trend, or the user errors explaining why there is none.",
  fields: (t) => ({
    trend: t.field({ type: TrendRef, nullable: true, resolve: (result) => result.value }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (result) => result.userErrors }),
  }),
});

const ComparisonResultRef = builder
  .objectRef<QueryResult<Comparison>>("ComparisonResult")
  .implement({
    description: "A comparison, or the user errors explaining why there is none.",
    fields: (t) => ({
      comparison: t.field({
        type: ComparisonRef,
        nullable: true,
        resolve: (result) => result.value,
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (result) => result.userErrors }),
    }),
  });

const TrendFilterInput = builder.inputType("TrendFilter", {
  description: "Keeps only some values of one dimension column.",
  fields: (t) => ({
    dimension: t.string({ required: true }),
    values: t.stringList({ required: true }),
  }),
});

const PeriodInput = builder.inputType("WeekPeriod", {
  description: "Weeks whose start date lies in the range, both ends included.",
  fields: (t) => ({
    from: t.field({ type: "Date", required: true }),
    to: t.field({ type: "Date", required: true }),
  }),
});

/** Runs a results query and turns ResultQueryError into user errors. */
async function runQuery<T>(work: () => Promise<T>): Promise<QueryResult<T>> {
  try {
    return { value: await work(), userErrors: [] };
  } catch (error) {
    if (!(error instanceof ResultQueryError)) throw error;
    const code = error.availableColumns.length > 0 ? "UNKNOWN_COLUMN" : "INVALID_ARGUMENT";
    return { value: null, userErrors: [{ field: error.field, message: error.message, code }] };
  }
}

/** Decodes Collection global ids; an id of another type reads as not found. */
function collectionIdsOf(ids: readonly (string | number)[]): string[] {
  return ids.map((id) => {
    const collectionId = parseGlobalId(String(id), "Collection");
    if (!collectionId) {
      throw new ResultQueryError(`Collection ${id} not found: check the id.`, ["collectionIds"]);
    }
    return collectionId;
  });
}

type TrendArgs = {
  metric: string;
  aggregate?: Aggregate | null;
  groupBy?: string | null;
  filter?: { dimension: string; values: string[] } | null;
  top?: number | null;
  from?: string | null;
  to?: string | null;
};

function trendOf(
  context: { prisma: Parameters<typeof queryTrend>[0] },
  ids: string[],
  args: TrendArgs,
) {
  return queryTrend(context.prisma, {
    collectionIds: ids,
    metric: args.metric,
    aggregate: args.aggregate ?? "SUM",
    groupBy: args.groupBy,
    filter: args.filter,
    top: args.top ?? defaultTop,
    from: args.from,
    to: args.to,
  });
}

type CompareArgs = {
  metric: string;
  aggregate?: Aggregate | null;
  filter?: { dimension: string; values: string[] } | null;
  periodA: { from: string; to: string };
  periodB: { from: string; to: string };
};

function comparisonOf(
  context: { prisma: Parameters<typeof compareMetric>[0] },
  ids: string[],
  args: CompareArgs,
) {
  return compareMetric(context.prisma, {
    collectionIds: ids,
    metric: args.metric,
    aggregate: args.aggregate ?? "SUM",
    filter: args.filter,
    periodA: args.periodA,
    periodB: args.periodB,
  });
}

builder.objectFields(CollectionRef, (t) => ({
  columns: t.field({
    type: [ResultColumnRef],
    description: "Columns of the weeks' current results, in first-seen order.",
    resolve: (collection, _args, context) => listColumns(context.prisma, [collection.id]),
  }),
  trend: t.field({
    type: TrendResultRef,
    description: "A numeric column week by week, from the weekly summaries.",
    args: {
      metric: t.arg.string({ required: true, description: "Numeric column to aggregate." }),
      aggregate: t.arg({ type: AggregateEnum, defaultValue: "SUM" }),
      groupBy: t.arg.string({ description: "Dimension column whose values become series." }),
      filter: t.arg({ type: TrendFilterInput }),
      top: t.arg.int({
        defaultValue: defaultTop,
        description:
          "With groupBy: values kept as series, by total; the rest become one other series.",
      }),
      from: t.arg({ type: "Date", description: "First week start date, inclusive." }),
      to: t.arg({ type: "Date", description: "Last week start date, inclusive." }),
    },
    resolve: (collection, args, context) => runQuery(() => trendOf(context, [collection.id], args)),
  }),
  compare: t.field({
    type: ComparisonResultRef,
    description: "A numeric column over two ranges of weeks, with the change from A to B.",
    args: {
      metric: t.arg.string({ required: true }),
      aggregate: t.arg({ type: AggregateEnum, defaultValue: "SUM" }),
      filter: t.arg({ type: TrendFilterInput }),
      periodA: t.arg({ type: PeriodInput, required: true }),
      periodB: t.arg({ type: PeriodInput, required: true }),
    },
    resolve: (collection, args, context) =>
      runQuery(() => comparisonOf(context, [collection.id], args)),
  }),
}));

builder.queryFields((t) => ({
  resultColumns: t.field({
    type: [ResultColumnRef],
    description: "Columns of several collections of one workflow, combined.",
    args: { collectionIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, context) => {
      const ids = (args.collectionIds as string[])
        .map((id) => parseGlobalId(String(id), "Collection"))
        .filter((id): id is string => id !== null);
      return ids.length > 0 ? listColumns(context.prisma, ids) : [];
    },
  }),
  trend: t.field({
    type: TrendResultRef,
    description:
      "A trend over several collections of one workflow (e.g. one per AMC instance), combined week by week.",
    args: {
      collectionIds: t.arg.idList({ required: true }),
      metric: t.arg.string({ required: true }),
      aggregate: t.arg({ type: AggregateEnum, defaultValue: "SUM" }),
      groupBy: t.arg.string(),
      filter: t.arg({ type: TrendFilterInput }),
      top: t.arg.int({ defaultValue: defaultTop }),
      from: t.arg({ type: "Date" }),
      to: t.arg({ type: "Date" }),
    },
    resolve: (_root, args, context) =>
      runQuery(() => trendOf(context, collectionIdsOf(args.collectionIds), args)),
  }),
  compare: t.field({
    type: ComparisonResultRef,
    description: "A comparison over several collections of one workflow, combined.",
    args: {
      collectionIds: t.arg.idList({ required: true }),
      metric: t.arg.string({ required: true }),
      aggregate: t.arg({ type: AggregateEnum, defaultValue: "SUM" }),
      filter: t.arg({ type: TrendFilterInput }),
      periodA: t.arg({ type: PeriodInput, required: true }),
      periodB: t.arg({ type: PeriodInput, required: true }),
    },
    resolve: (_root, args, context) =>
      runQuery(() => comparisonOf(context, collectionIdsOf(args.collectionIds), args)),
  }),
}));
