import { builder } from "../builder.ts";
import { nodeLookupId, parseGlobalId, NIL_UUID } from "../ids.ts";
import { ExecutionStatusEnum } from "./enums.ts";

builder.prismaObject("ExecutionEvent", {
  description:
    "An entry of an execution's timeline: a status change, retry, throttling wait or error.",
  fields: (t) => ({
    time: t.expose("at", { type: "DateTime" }),
    kind: t.exposeString("kind", {
      description: "SUBMITTED, STATUS, RETRY, THROTTLED, ERROR, RESULT, CANCELLED or similar.",
    }),
    message: t.exposeString("message"),
  }),
});

export const ExecutionRef = builder.prismaNode("Execution", {
  description: "One attempt of a week: an AMC workflow execution with an explicit time window.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    week: t.relation("week"),
    attempt: t.exposeInt("attempt", { description: "1 for the first attempt of the week." }),
    amcExecutionId: t.exposeString("amcExecutionId", {
      nullable: true,
      description: "AMC's workflowExecutionId; null until AMC accepted the execution.",
    }),
    status: t.expose("status", { type: ExecutionStatusEnum }),
    statusReason: t.exposeString("statusReason", {
      nullable: true,
      description: "AMC's explanation of a failure or rejection.",
    }),
    sql: t.exposeString("sql", { description: "SQL after template rendering, exactly as sent." }),
    parameters: t.expose("parameterValues", {
      type: "JSON",
      description: "Parameter values sent with the execution, by name.",
    }),
    timeWindowStart: t.exposeString("timeWindowStart", {
      description: "Window start sent to AMC, yyyy-MM-ddTHH:mm:ss in timeWindowTimeZone.",
    }),
    timeWindowEnd: t.exposeString("timeWindowEnd", {
      description: "Window end sent to AMC (exclusive), yyyy-MM-ddTHH:mm:ss in timeWindowTimeZone.",
    }),
    timeWindowTimeZone: t.exposeString("timeWindowTimeZone", {
      description: "IANA time zone of the window.",
    }),
    submittedAt: t.expose("submittedAt", {
      type: "DateTime",
      nullable: true,
      description: "When AMC accepted the execution.",
    }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    timeline: t.relation("events", {
      description: "What happened to the execution, oldest first.",
      query: { orderBy: { at: "asc" } },
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("execution", (t) =>
  t.prismaField({
    type: "Execution",
    nullable: true,
    description: "An execution by id; null when there is none.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _parent, args, context) =>
      context.prisma.execution.findUnique({
        ...query,
        where: { id: parseGlobalId(String(args.id), "Execution") ?? NIL_UUID },
      }),
  }),
);
