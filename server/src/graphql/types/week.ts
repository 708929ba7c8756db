import { builder } from "../builder.ts";
import { nodeLookupId, parseGlobalId, NIL_UUID } from "../ids.ts";
import { WeekStatusEnum } from "./enums.ts";

export const WeekRef = builder.prismaNode("Week", {
  description:
    "One Monday-to-Sunday week of a collection, clamped to the collection's range, run as one AMC execution per attempt.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    collection: t.relation("collection"),
    startDate: t.expose("startDate", { type: "Date", description: "First day, inclusive." }),
    endDate: t.expose("endDate", { type: "Date", description: "Last day, inclusive." }),
    isoWeek: t.exposeString("isoWeek", { description: "ISO 8601 week label, e.g. 2025-W01." }),
    partial: t.exposeBoolean("partial", {
      description: "True when the collection's range cuts the week to fewer than seven days.",
    }),
    status: t.expose("status", { type: WeekStatusEnum }),
    attempts: t.exposeInt("attempts", { description: "Executions started for the week so far." }),
    errorMessage: t.exposeString("errorMessage", {
      nullable: true,
      description: "Why the last attempt failed; null unless it failed.",
    }),
    nextAttemptAt: t.expose("nextAttemptAt", {
      type: "DateTime",
      description: "Earliest time the week may start its next attempt.",
    }),
    startedAt: t.expose("startedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the current attempt started.",
    }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    durationMs: t.exposeInt("durationMs", {
      nullable: true,
      description:
        "Time from the start of the successful attempt to its stored result, in milliseconds.",
    }),
    rowCount: t.exposeInt("rowCount", {
      nullable: true,
      description: "Rows in the stored result; null until the week succeeds.",
    }),
    version: t.exposeInt("version", {
      description: "Increases with every change; subscribers use it to drop stale events.",
    }),
    executions: t.relation("executions", {
      description: "Every attempt, oldest first.",
      query: { orderBy: { attempt: "asc" } },
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryField("week", (t) =>
  t.prismaField({
    type: "Week",
    nullable: true,
    description: "A week by id; null when there is none.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _parent, args, context) =>
      context.prisma.week.findUnique({
        ...query,
        where: { id: parseGlobalId(String(args.id), "Week") ?? NIL_UUID },
      }),
  }),
);
