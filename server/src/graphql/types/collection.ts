import type { Prisma } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { nodeLookupId, parseGlobalId, NIL_UUID } from "../ids.ts";
import { weekCountsOf } from "../loaders.ts";
import { CollectionModeEnum, CollectionStatusEnum, WeekStatusEnum } from "./enums.ts";
import { CollectionProgressRef, toProgress } from "./collection-progress.ts";

export const CollectionRef = builder.prismaNode("Collection", {
  description:
    "A workflow run week by week over a date range on one AMC instance. Each Monday-to-Sunday week becomes one AMC execution.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    name: t.exposeString("name"),
    status: t.expose("status", { type: CollectionStatusEnum }),
    mode: t.expose("mode", { type: CollectionModeEnum }),
    workflow: t.relation("workflow", { description: "Workflow whose SQL the weeks run." }),
    workflowVersion: t.exposeInt("workflowVersion", {
      description:
        "Version of the workflow when the collection was created; later edits do not apply.",
    }),
    sql: t.exposeString("sqlSnapshot", {
      description: "The workflow's SQL template as it was when the collection was created.",
    }),
    instance: t.relation("instance", { description: "AMC instance the weeks run on." }),
    startDate: t.expose("startDate", { type: "Date", description: "First day, inclusive." }),
    endDate: t.expose("endDate", { type: "Date", description: "Last day, inclusive." }),
    timezone: t.exposeString("timezone", {
      description: "IANA time zone of the AMC time windows, e.g. America/New_York.",
    }),
    parameters: t.expose("parameterValues", {
      type: "JSON",
      description: "Values of the workflow's parameters, by name.",
    }),
    version: t.exposeInt("version", {
      description: "Increases with every change; subscribers use it to drop stale events.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    finishedAt: t.expose("finishedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the last week finished; null while weeks remain.",
    }),
    progress: t.field({
      type: CollectionProgressRef,
      description: "Week counts by status.",
      resolve: async (collection, _args, context) =>
        toProgress(
          weekCountsOf(collection) ?? (await context.loaders.weekStatusCounts.load(collection.id)),
        ),
    }),
    averageWeekDurationMs: t.int({
      nullable: true,
      description:
        "Mean time from a week's start to its result over the succeeded weeks, in milliseconds; null before the first success.",
      resolve: (collection, _args, context) =>
        context.loaders.averageWeekDurationMs.load(collection.id),
    }),
    weeks: t.relatedConnection("weeks", {
      cursor: "id",
      totalCount: true,
      description: "Weeks in date order.",
      args: {
        status: t.arg({
          type: WeekStatusEnum,
          required: false,
          description: "Only weeks in this status.",
        }),
      },
      query: (args) => ({
        where: args.status ? { status: args.status } : {},
        orderBy: [{ startDate: "asc" }, { id: "asc" }],
      }),
    }),
  }),
});

builder.queryFields((t) => ({
  collections: t.prismaConnection({
    type: "Collection",
    cursor: "id",
    description: "Collections, newest first.",
    args: {
      status: t.arg({
        type: CollectionStatusEnum,
        required: false,
        description: "Only collections in this status.",
      }),
      instanceId: t.arg.id({ required: false, description: "Only collections on this instance." }),
      search: t.arg.string({
        required: false,
        description: "Only collections whose name contains this text, ignoring case.",
      }),
    },
    totalCount: (_parent, args, context) =>
      context.prisma.collection.count({ where: collectionFilter(args) }),
    resolve: (query, _parent, args, context) =>
      context.prisma.collection.findMany({
        ...query,
        where: collectionFilter(args),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      }),
  }),
  collection: t.prismaField({
    type: "Collection",
    nullable: true,
    description: "A collection by id; null when there is none.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _parent, args, context) =>
      context.prisma.collection.findUnique({
        ...query,
        where: { id: parseGlobalId(String(args.id), "Collection") ?? NIL_UUID },
      }),
  }),
}));

function collectionFilter(args: {
  status?: Prisma.CollectionWhereInput["status"] | null;
  instanceId?: string | number | null;
  search?: string | null;
}): Prisma.CollectionWhereInput {
  const where: Prisma.CollectionWhereInput = {};
  if (args.status) where.status = args.status;
  if (args.instanceId !== undefined && args.instanceId !== null) {
    where.instanceId = parseGlobalId(String(args.instanceId), "Instance") ?? NIL_UUID;
  }
  if (args.search) where.name = { contains: args.search, mode: "insensitive" };
  return where;
}
