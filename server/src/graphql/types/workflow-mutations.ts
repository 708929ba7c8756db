import { createWorkflow, updateWorkflow, type WorkflowPatch } from "../../domain/workflows.ts";
import type { Workflow } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import { parseGlobalId } from "../ids.ts";
import { WorkflowRef } from "./workflow.ts";
import {
  definePayload,
  notFoundUserError,
  rejectMutation,
  renameErrorFields,
  runMutation,
} from "./user-error.ts";

// Creating and editing workflows. Each requires the operator role. A change to the SQL or the
// parameters raises the workflow's version; existing collections keep the version they copied.

/** GraphQL input names that differ from the domain's, for user error paths. */
const fieldRenames = { sqlTemplate: "sql", defaultValue: "default" };

const WorkflowParameterInput = builder.inputType("WorkflowParameterInput", {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: "Identifier used as {{name}} or CUSTOM_PARAMETER('name') in the SQL.",
    }),
    type: t.string({
      required: true,
      description: "STRING, INTEGER, DECIMAL, DATE, BOOLEAN, STRING_LIST or INTEGER_LIST.",
    }),
    default: t.field({
      type: "JSON",
      required: false,
      description: "Value used when a collection gives none.",
    }),
    required: t.boolean({
      required: false,
      description: "A collection must end up with a value; false when omitted.",
    }),
    passAs: t.string({
      required: false,
      description:
        "TEMPLATE (rendered into the SQL as a literal, the default) or CUSTOM_PARAMETER (sent to AMC as a parameter value).",
    }),
  }),
});

const workflowFields = (required: boolean) =>
  builder.inputType(required ? "CreateWorkflowInput" : "UpdateWorkflowInput", {
    description: required ? undefined : "Fields to change; omitted fields stay as they are.",
    fields: (t) => ({
      name: t.string({ required, description: "Unique name, 1 to 200 characters." }),
      description: t.string({ required: false }),
      sql: t.string({
        required,
        description:
          "SQL template; {{start_date}}, {{end_date}} and declared parameters are filled in.",
      }),
      parameters: t.field({ type: [WorkflowParameterInput], required: false }),
    }),
  });

const CreateWorkflowInput = workflowFields(true);
const UpdateWorkflowInput = workflowFields(false);

type ParameterInput = {
  name: string;
  type: string;
  default?: unknown;
  required?: boolean | null;
  passAs?: string | null;
};

function toParameters(parameters: ParameterInput[] | null | undefined): unknown {
  if (!parameters) return undefined;
  return parameters.map((parameter) => ({
    name: parameter.name,
    type: parameter.type,
    defaultValue: parameter.default ?? null,
    required: parameter.required ?? false,
    passAs: parameter.passAs ?? "TEMPLATE",
  }));
}

const WorkflowPayload = definePayload<Workflow>("WorkflowPayload", {
  description: "Result of createWorkflow or updateWorkflow.",
  objectField: "workflow",
  objectType: WorkflowRef,
  objectDescription: "The workflow as stored.",
});

builder.mutationFields((t) => ({
  createWorkflow: t.field({
    type: WorkflowPayload,
    description: "Creates a workflow at version 1. Requires the operator role.",
    args: { input: t.arg({ type: CreateWorkflowInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireRole(context, "OPERATOR");
      const result = await runMutation(() =>
        createWorkflow(context.prisma, {
          name: input.name!,
          description: input.description ?? null,
          sqlTemplate: input.sql!,
          parameters: toParameters(input.parameters) ?? [],
        }),
      );
      return renameErrorFields(result, fieldRenames);
    },
  }),
  updateWorkflow: t.field({
    type: WorkflowPayload,
    description:
      "Changes a workflow. Changing its SQL or parameters raises its version; existing collections keep theirs. Requires the operator role.",
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateWorkflowInput, required: true }),
    },
    resolve: async (_root, { id: globalId, input }, context) => {
      requireRole(context, "OPERATOR");
      const id = parseGlobalId(String(globalId), "Workflow");
      if (!id) return rejectMutation(notFoundUserError(["id"], "Workflow", String(globalId)));
      const patch: WorkflowPatch = {};
      if (input.name != null) patch.name = input.name;
      if (input.description != null) patch.description = input.description;
      if (input.sql != null) patch.sqlTemplate = input.sql;
      if (input.parameters != null) patch.parameters = toParameters(input.parameters);
      const result = await runMutation(() => updateWorkflow(context.prisma, id, patch));
      return renameErrorFields(result, fieldRenames);
    },
  }),
}));
