import { builder } from "../builder.ts";
import { nodeLookupId } from "../ids.ts";

/** A declared parameter of a workflow, as stored in Workflow.parameters. */
export interface WorkflowParameterShape {
  name: string;
  type: string;
  defaultValue?: unknown;
  required?: boolean;
  passAs?: string;
}

const WorkflowParameterRef = builder
  .objectRef<WorkflowParameterShape>("WorkflowParameter")
  .implement({
    description: "A parameter that a workflow's SQL reads, filled in per collection.",
    fields: (t) => ({
      name: t.exposeString("name", { description: "Name used in the SQL template." }),
      type: t.exposeString("type", {
        description: "STRING, INTEGER, DECIMAL, DATE, BOOLEAN, STRING_LIST or INTEGER_LIST.",
      }),
      default: t.field({
        type: "JSON",
        nullable: true,
        description: "Value used when a collection gives none; null when there is no default.",
        resolve: (parameter) => parameter.defaultValue ?? null,
      }),
      required: t.boolean({
        description: "True when a collection must end up with a value, its own or the default.",
        resolve: (parameter) => parameter.required ?? false,
      }),
      passAs: t.string({
        description:
          "TEMPLATE (rendered into the SQL as a literal) or CUSTOM_PARAMETER (sent to AMC as a parameter value).",
        resolve: (parameter) => parameter.passAs ?? "TEMPLATE",
      }),
    }),
  });

export const WorkflowRef = builder.prismaNode("Workflow", {
  description:
    "A SQL template run once per week. {{start_date}} and {{end_date}} are filled in per week.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique name." }),
    description: t.exposeString("description"),
    sql: t.exposeString("sqlTemplate", { description: "The SQL template." }),
    parameters: t.field({
      type: [WorkflowParameterRef],
      description: "Declared parameters, in declaration order.",
      resolve: (workflow) =>
        Array.isArray(workflow.parameters)
          ? (workflow.parameters as unknown as WorkflowParameterShape[])
          : [],
    }),
    version: t.exposeInt("version", {
      description: "Increases with every change to the SQL or the parameters.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryField("workflows", (t) =>
  t.prismaConnection({
    type: "Workflow",
    cursor: "id",
    description: "Workflows, by name.",
    totalCount: (_parent, _args, context) => context.prisma.workflow.count(),
    resolve: (query, _parent, _args, context) =>
      context.prisma.workflow.findMany({ ...query, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  }),
);
