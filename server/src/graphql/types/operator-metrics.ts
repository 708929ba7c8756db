import type { AmcInstanceStats } from "../../amc/stats.ts";
import type { Instance } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { NIL_UUID, parseGlobalId } from "../ids.ts";
import { InstanceRef } from "./instance.ts";

// Figures for operators: where failures come from and how AMC's API behaves. A failure is one
// execution attempt that AMC ended as FAILED or REJECTED, so a week retried twice counts twice.

/** Most groups returned per failure breakdown, largest first. */
const MAX_GROUPS = 50;

/** Characters of a failure reason used for grouping; longer reasons are cut. */
const REASON_LENGTH = 200;

interface MetricsArgs {
  since: Date | null;
  collectionId: string | null;
}

type ReasonGroup = { reason: string; count: number };
type InstanceGroup = { instance: Instance; count: number };
type InstanceStats = AmcInstanceStats & { instance: Instance | null };
type WeekGroup = { startDate: Date; endDate: Date; isoWeek: string; count: number };

const FailureReasonRef = builder.objectRef<ReasonGroup>("FailureReasonCount").implement({
  description: "Failed attempts with the same reason.",
  fields: (t) => ({
    reason: t.exposeString("reason", {
      description: `AMC's status reason, cut to ${REASON_LENGTH} characters; "unknown" when AMC gave none.`,
    }),
    count: t.exposeInt("count"),
  }),
});

const FailureInstanceRef = builder.objectRef<InstanceGroup>("FailureInstanceCount").implement({
  description: "Failed attempts on one AMC instance.",
  fields: (t) => ({
    instance: t.field({ type: InstanceRef, resolve: (group) => group.instance }),
    count: t.exposeInt("count"),
  }),
});

const FailureWeekRef = builder.objectRef<WeekGroup>("FailureWeekCount").implement({
  description: "Failed attempts of weeks with the same date range, across collections.",
  fields: (t) => ({
    startDate: t.expose("startDate", { type: "Date" }),
    endDate: t.expose("endDate", { type: "Date" }),
    isoWeek: t.exposeString("isoWeek"),
    count: t.exposeInt("count"),
  }),
});

const AmcApiStatsRef = builder.objectRef<InstanceStats>("AmcApiStats").implement({
  description:
    "How AMC's API has responded for one instance since this server process started. Figures are per process; each replica reports its own.",
  fields: (t) => ({
    amcInstanceId: t.exposeString("amcInstanceId", { description: "AMC's own instance id." }),
    instance: t.field({
      type: InstanceRef,
      nullable: true,
      description: "The instance; null when it has been deleted since.",
      resolve: (stats) => stats.instance,
    }),
    requestCount: t.exposeInt("requestCount", {
      description: "HTTP attempts, including those that failed on the network.",
    }),
    meanResponseMs: t.exposeFloat("meanResponseMs", { description: "Mean response time, in ms." }),
    p95ResponseMs: t.exposeFloat("p95ResponseMs", {
      description: "95th percentile of the last 1,024 response times, in ms.",
    }),
    maxResponseMs: t.exposeFloat("maxResponseMs", { description: "Slowest response, in ms." }),
    throttledCount: t.exposeInt("throttledCount", { description: "Responses with HTTP 429." }),
    transientErrorCount: t.exposeInt("transientErrorCount", {
      description: "5xx responses, timeouts and network errors.",
    }),
    permanentErrorCount: t.exposeInt("permanentErrorCount", {
      description: "Other 4xx responses.",
    }),
  }),
});

/** Returns the SQL filter on failed executions `e`, joined to weeks `w`, and its values. */
function failureFilter(args: MetricsArgs): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  let sql = `e.status IN ('FAILED', 'REJECTED')`;
  if (args.since) {
    values.push(args.since);
    sql += ` AND e."createdAt" >= $${values.length}`;
  }
  if (args.collectionId) {
    values.push(args.collectionId);
    sql += ` AND w."collectionId" = $${values.length}::uuid`;
  }
  return { sql, values };
}

async function failuresByReason(context: GraphQLContext, args: MetricsArgs) {
  const filter = failureFilter(args);
  const rows = await context.prisma.$queryRawUnsafe<{ reason: string; count: bigint }[]>(
    `SELECT COALESCE(LEFT(e."statusReason", ${REASON_LENGTH}), 'unknown') AS reason, COUNT(*) AS count
     FROM "Execution" e JOIN "Week" w ON w.id = e."weekId"
     WHERE ${filter.sql}
     GROUP BY 1 ORDER BY count DESC, reason LIMIT ${MAX_GROUPS}`,
    ...filter.values,
  );
  return rows.map((row) => ({ reason: row.reason, count: Number(row.count) }));
}

async function failuresByInstance(context: GraphQLContext, args: MetricsArgs) {
  const filter = failureFilter(args);
  const rows = await context.prisma.$queryRawUnsafe<{ instanceId: string; count: bigint }[]>(
    `SELECT c."instanceId" AS "instanceId", COUNT(*) AS count
     FROM "Execution" e JOIN "Week" w ON w.id = e."weekId" JOIN "Collection" c ON c.id = w."collectionId"
     WHERE ${filter.sql}
     GROUP BY 1 ORDER BY count DESC LIMIT ${MAX_GROUPS}`,
    ...filter.values,
  );
  const instances = await context.prisma.instance.findMany({
    where: { id: { in: rows.map((row) => row.instanceId) } },
  });
  const byId = new Map(instances.map((instance) => [instance.id, instance]));
  return rows.map((row) => ({ instance: byId.get(row.instanceId)!, count: Number(row.count) }));
}

async function failuresByWeek(context: GraphQLContext, args: MetricsArgs) {
  const filter = failureFilter(args);
  const rows = await context.prisma.$queryRawUnsafe<
    { startDate: Date; endDate: Date; isoWeek: string; count: bigint }[]
  >(
    `SELECT w."startDate" AS "startDate", w."endDate" AS "endDate", w."isoWeek" AS "isoWeek", COUNT(*) AS count
     FROM "Execution" e JOIN "Week" w ON w.id = e."weekId"
     WHERE ${filter.sql}
     GROUP BY 1, 2, 3 ORDER BY count DESC, 1 LIMIT ${MAX_GROUPS}`,
    ...filter.values,
  );
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}

async function amcApiStats(context: GraphQLContext): Promise<InstanceStats[]> {
  const stats = context.amcApiStats?.() ?? [];
  if (stats.length === 0) return [];
  const instances = await context.prisma.instance.findMany({
    where: {
      OR: stats.map(({ accountId, amcInstanceId }) => ({ accountId, amcInstanceId })),
    },
  });
  const byKey = new Map(instances.map((row) => [`${row.accountId}\n${row.amcInstanceId}`, row]));
  return stats.map((entry) => ({
    ...entry,
    instance: byKey.get(`${entry.accountId}\n${entry.amcInstanceId}`) ?? null,
  }));
}

const OperatorMetricsRef = builder.objectRef<MetricsArgs>("OperatorMetrics").implement({
  description: "Failure breakdowns and AMC API figures for operators.",
  fields: (t) => ({
    failuresByReason: t.field({
      type: [FailureReasonRef],
      description: `Failed attempts grouped by AMC's reason, largest first, at most ${MAX_GROUPS}.`,
      resolve: (args, _args, context) => failuresByReason(context, args),
    }),
    failuresByInstance: t.field({
      type: [FailureInstanceRef],
      description: `Failed attempts grouped by AMC instance, largest first, at most ${MAX_GROUPS}.`,
      resolve: (args, _args, context) => failuresByInstance(context, args),
    }),
    failuresByWeek: t.field({
      type: [FailureWeekRef],
      description: `Failed attempts grouped by week date range, largest first, at most ${MAX_GROUPS}.`,
      resolve: (args, _args, context) => failuresByWeek(context, args),
    }),
    amcApiStats: t.field({
      type: [AmcApiStatsRef],
      description:
        "AMC API response times and throttling per instance, since this process started. Not filtered by since or collectionId.",
      resolve: (_args, _unused, context) => amcApiStats(context),
    }),
  }),
});

builder.queryField("operatorMetrics", (t) =>
  t.field({
    type: OperatorMetricsRef,
    description:
      "Where failures come from and how AMC's API behaves. The average week duration of a collection is Collection.averageWeekDurationMs.",
    args: {
      since: t.arg({
        type: "DateTime",
        required: false,
        description: "Only attempts created at or after this instant.",
      }),
      collectionId: t.arg.id({ required: false, description: "Only attempts of this collection." }),
    },
    resolve: (_root, args) => ({
      since: args.since ?? null,
      collectionId:
        args.collectionId == null
          ? null
          : (parseGlobalId(String(args.collectionId), "Collection") ?? NIL_UUID),
    }),
  }),
);
