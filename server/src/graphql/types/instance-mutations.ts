import {
  createInstance,
  deleteInstance,
  updateInstance,
  type InstancePatch,
} from "../../domain/instances.ts";
import type { Instance } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import { parseGlobalId } from "../ids.ts";
import { InstanceRef } from "./instance.ts";
import {
  defineDeletePayload,
  definePayload,
  notFoundUserError,
  rejectMutation,
  runDelete,
  runMutation,
} from "./user-error.ts";

// Creating and editing AMC instances. Each requires the admin role.

const CreateInstanceInput = builder.inputType("CreateInstanceInput", {
  fields: (t) => ({
    accountId: t.id({ required: true, description: "Account the instance belongs to." }),
    amcInstanceId: t.string({
      required: true,
      description: "AMC's own instance id, e.g. amcibersblt: letters, digits, _ and -.",
    }),
    name: t.string({ required: true, description: "Display name, 1 to 200 characters." }),
    maxConcurrentExecutions: t.int({
      required: false,
      description:
        "Executions kept running at once on the instance; 10 (AMC's limit) when omitted.",
    }),
  }),
});

const UpdateInstanceInput = builder.inputType("UpdateInstanceInput", {
  description: "Fields to change; omitted fields stay as they are. The account cannot change.",
  fields: (t) => ({
    amcInstanceId: t.string({ required: false }),
    name: t.string({ required: false }),
    maxConcurrentExecutions: t.int({ required: false }),
  }),
});

const InstancePayload = definePayload<Instance>("InstancePayload", {
  description: "Result of createInstance or updateInstance.",
  objectField: "instance",
  objectType: InstanceRef,
  objectDescription: "The instance as stored.",
});

const DeleteInstancePayload = defineDeletePayload("DeleteInstancePayload", {
  mutation: "deleteInstance",
  typeName: "Instance",
  idField: "deletedInstanceId",
});

builder.mutationFields((t) => ({
  createInstance: t.field({
    type: InstancePayload,
    description: "Adds an AMC instance to an account. Requires the admin role.",
    args: { input: t.arg({ type: CreateInstanceInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireRole(context, "ADMIN");
      const accountId = String(input.accountId);
      return runMutation(
        () =>
          createInstance(context.prisma, {
            accountId: parseGlobalId(accountId, "Account") ?? accountId,
            amcInstanceId: input.amcInstanceId,
            name: input.name,
            maxConcurrentExecutions: input.maxConcurrentExecutions ?? null,
          }),
        ["input", "accountId"],
      );
    },
  }),
  updateInstance: t.field({
    type: InstancePayload,
    description: "Changes an AMC instance. Requires the admin role.",
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateInstanceInput, required: true }),
    },
    resolve: async (_root, { id: globalId, input }, context) => {
      requireRole(context, "ADMIN");
      const id = parseGlobalId(String(globalId), "Instance");
      if (!id) return rejectMutation(notFoundUserError(["id"], "Instance", String(globalId)));
      const patch: InstancePatch = {};
      if (input.amcInstanceId != null) patch.amcInstanceId = input.amcInstanceId;
      if (input.name != null) patch.name = input.name;
      if (input.maxConcurrentExecutions != null) {
        patch.maxConcurrentExecutions = input.maxConcurrentExecutions;
      }
      return runMutation(() => updateInstance(context.prisma, id, patch));
    },
  }),
  deleteInstance: t.field({
    type: DeleteInstancePayload,
    description:
      "Deletes an AMC instance that no collection uses (INSTANCE_IN_USE otherwise: delete its collections first). Requires the admin role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "ADMIN");
      return runDelete(context, args.id, "Instance", (id) => deleteInstance(context.prisma, id));
    },
  }),
}));
