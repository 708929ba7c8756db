import { builder } from "../builder.ts";
import { nodeLookupId } from "../ids.ts";

export const InstanceRef = builder.prismaNode("Instance", {
  description: "An AMC instance of an advertiser account; collections run their weeks on it.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    name: t.exposeString("name", { description: "Display name." }),
    amcInstanceId: t.exposeString("amcInstanceId", {
      description: "AMC's own instance id, e.g. amcibersblt, used in AMC API paths.",
    }),
    account: t.relation("account", { description: "Account the instance belongs to." }),
    maxConcurrentExecutions: t.exposeInt("maxConcurrentExecutions", {
      description: "Executions this server keeps running at once on the instance (AMC allows 10).",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryField("instances", (t) =>
  t.prismaConnection({
    type: "Instance",
    cursor: "id",
    description: "AMC instances of every account, by name.",
    totalCount: (_parent, _args, context) => context.prisma.instance.count(),
    resolve: (query, _parent, _args, context) =>
      context.prisma.instance.findMany({ ...query, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  }),
);
