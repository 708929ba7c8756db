import {
  cancelCollection,
  createCollection,
  deleteCollection,
  pauseCollection,
  resumeCollection,
} from "../../domain/collections.ts";
import type { Collection } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import type { GraphQLContext } from "../context.ts";
import { parseGlobalId } from "../ids.ts";
import { CollectionRef } from "./collection.ts";
import { CollectionModeEnum } from "./enums.ts";
import {
  defineDeletePayload,
  definePayload,
  notFoundUserError,
  rejectMutation,
  renameErrorFields,
  runDelete,
  runMutation,
  type MutationResult,
} from "./user-error.ts";

// Mutations on whole collections. Each requires the operator role.

const CreateCollectionInput = builder.inputType("CreateCollectionInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "Display name, 1 to 200 characters." }),
    workflowId: t.id({ required: true, description: "Workflow whose SQL each week runs." }),
    instanceId: t.id({ required: true, description: "AMC instance the weeks run on." }),
    startDate: t.field({ type: "Date", required: true, description: "First day, inclusive." }),
    endDate: t.field({
      type: "Date",
      required: false,
      description: "Last day, inclusive. Required for BACKFILL; must be omitted for ROLLING.",
    }),
    timezone: t.string({
      required: false,
      description: "IANA time zone of the AMC time windows; UTC when omitted.",
    }),
    mode: t.field({
      type: CollectionModeEnum,
      required: false,
      description: "BACKFILL when omitted.",
    }),
    parameters: t.field({
      type: "JSON",
      required: false,
      description: "Values of the workflow's parameters, by name; defaults apply to omitted ones.",
    }),
    expandToWholeWeeks: t.boolean({
      required: false,
      description:
        "Widen the range to the Monday before startDate and the Sunday after endDate, so no week is partial.",
    }),
    idempotencyKey: t.string({
      required: false,
      description:
        "Key chosen by the client: repeating the mutation with the same key and input returns the collection created first instead of a second one.",
    }),
  }),
});

const CreateCollectionPayload = definePayload<Collection>("CreateCollectionPayload", {
  description: "Result of createCollection.",
  objectField: "collection",
  objectType: CollectionRef,
  objectDescription: "The new collection, with its weeks planned.",
});

const CollectionPayload = definePayload<Collection>("CollectionPayload", {
  description: "Result of a mutation that changes a collection's status.",
  objectField: "collection",
  objectType: CollectionRef,
  objectDescription: "The collection after the change.",
});

const DeleteCollectionPayload = defineDeletePayload("DeleteCollectionPayload", {
  mutation: "deleteCollection",
  typeName: "Collection",
  idField: "deletedCollectionId",
});

type CollectionAction = (context: GraphQLContext, collectionId: string) => Promise<Collection>;

/** Runs a status change on the collection named by a global id argument. */
function changeStatus(action: CollectionAction) {
  return async (
    _root: unknown,
    args: { id: string | number },
    context: GraphQLContext,
  ): Promise<MutationResult<Collection>> => {
    requireRole(context, "OPERATOR");
    const id = parseGlobalId(String(args.id), "Collection");
    if (!id) return rejectMutation(notFoundUserError(["id"], "Collection", String(args.id)));
    return runMutation(() => action(context, id));
  };
}

builder.mutationFields((t) => ({
  createCollection: t.field({
    type: CreateCollectionPayload,
    description:
      "Creates a collection and plans its weeks; the scheduler starts them. Invalid input returns userErrors and stores nothing. Requires the operator role.",
    args: { input: t.arg({ type: CreateCollectionInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireRole(context, "OPERATOR");
      const workflowId = String(input.workflowId);
      const instanceId = String(input.instanceId);
      const result = await runMutation(
        () =>
          createCollection(
            context.prisma,
            {
              name: input.name,
              // An id that is not a global id of the right type reaches the domain as it is,
              // which reports it as an unknown workflow or instance.
              workflowId: parseGlobalId(workflowId, "Workflow") ?? workflowId,
              instanceId: parseGlobalId(instanceId, "Instance") ?? instanceId,
              startDate: input.startDate,
              endDate: input.endDate ?? null,
              timezone: input.timezone ?? null,
              mode: input.mode ?? null,
              parameterValues: (input.parameters as Record<string, unknown> | null) ?? null,
              expandToWholeWeeks: input.expandToWholeWeeks ?? null,
              idempotencyKey: input.idempotencyKey ?? null,
            },
            { now: new Date(), maxWeeks: context.maxWeeksPerCollection },
          ),
        ["input", "workflowId"],
      );
      if (result.value) {
        context.logger.info(
          { collectionId: result.value.id, by: context.viewer.source },
          "collection created",
        );
      }
      return renameErrorFields(result, { parameterValues: "parameters" });
    },
  }),
  pauseCollection: t.field({
    type: CollectionPayload,
    description:
      "Pauses an active collection: no new week starts, running ones finish. Requires the operator role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: changeStatus((context, id) => pauseCollection(context.prisma, id)),
  }),
  resumeCollection: t.field({
    type: CollectionPayload,
    description:
      "Resumes a paused collection, or a cancelled one by putting its cancelled weeks back to pending. Requires the operator role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: changeStatus((context, id) => resumeCollection(context.prisma, id)),
  }),
  cancelCollection: t.field({
    type: CollectionPayload,
    description:
      "Cancels an active or paused collection: its pending and running weeks stop and their AMC executions are cancelled. Requires the operator role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: changeStatus((context, id) => cancelCollection(context.prisma, id)),
  }),
  deleteCollection: t.field({
    type: DeleteCollectionPayload,
    description:
      "Deletes a collection with its weeks, executions and results, after cancelling its AMC executions that are still running. Requires the operator role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "OPERATOR");
      return runDelete(context, args.id, "Collection", (id) =>
        deleteCollection(context.prisma, id, { cancelInFlight: context.cancelAmcExecutions }),
      );
    },
  }),
}));
