import { retryFailedWeeks, retryWeek, skipWeek } from "../../domain/collections.ts";
import type { Collection, Week } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import { parseGlobalId } from "../ids.ts";
import { CollectionRef } from "./collection.ts";
import { WeekRef } from "./week.ts";
import {
  definePayload,
  notFoundUserError,
  rejectMutation,
  runMutation,
  UserErrorRef,
  type MutationResult,
} from "./user-error.ts";

// Mutations on weeks. Each requires the operator role.

const WeekPayload = definePayload<Week>("WeekPayload", {
  description: "Result of a mutation on one week.",
  objectField: "week",
  objectType: WeekRef,
  objectDescription: "The week after the change.",
});

type RetriedWeeks = { collection: Collection; retriedCount: number };

const RetryFailedWeeksPayload = builder
  .objectRef<MutationResult<RetriedWeeks>>("RetryFailedWeeksPayload")
  .implement({
    description: "Result of retryFailedWeeks.",
    fields: (t) => ({
      collection: t.field({
        type: CollectionRef,
        nullable: true,
        description: "The collection after the change.",
        resolve: (result) => result.value?.collection ?? null,
      }),
      retriedCount: t.int({
        description: "Number of failed weeks put back to pending; 0 when the mutation failed.",
        resolve: (result) => result.value?.retriedCount ?? 0,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Problems that prevented the mutation; empty when it succeeded.",
        resolve: (result) => result.userErrors,
      }),
    }),
  });

builder.mutationFields((t) => ({
  retryWeek: t.field({
    type: WeekPayload,
    description:
      "Runs a failed or cancelled week again, with the same time window and SQL. With force, also reruns a succeeded week; its result stays until the new one replaces it. Requires the operator role.",
    args: {
      id: t.arg.id({ required: true, description: "Global id of the week." }),
      force: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: "Also retry a week that succeeded.",
      }),
    },
    resolve: async (_root, args, context) => {
      requireRole(context, "OPERATOR");
      const id = parseGlobalId(String(args.id), "Week");
      if (!id) return rejectMutation(notFoundUserError(["id"], "Week", String(args.id)));
      return runMutation(() => retryWeek(context.prisma, id, { force: args.force ?? false }));
    },
  }),
  skipWeek: t.field({
    type: WeekPayload,
    description:
      "Marks a pending week as skipped: it never runs and counts as finished. Requires the operator role.",
    args: { id: t.arg.id({ required: true, description: "Global id of the week." }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "OPERATOR");
      const id = parseGlobalId(String(args.id), "Week");
      if (!id) return rejectMutation(notFoundUserError(["id"], "Week", String(args.id)));
      return runMutation(() => skipWeek(context.prisma, id));
    },
  }),
  retryFailedWeeks: t.field({
    type: RetryFailedWeeksPayload,
    description: "Runs every failed week of a collection again. Requires the operator role.",
    args: { collectionId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "OPERATOR");
      const id = parseGlobalId(String(args.collectionId), "Collection");
      if (!id) {
        return rejectMutation(
          notFoundUserError(["collectionId"], "Collection", String(args.collectionId)),
        );
      }
      return runMutation(async () => {
        const retriedCount = await retryFailedWeeks(context.prisma, id);
        const collection = await context.prisma.collection.findUniqueOrThrow({ where: { id } });
        return { collection, retriedCount };
      }, ["collectionId"]);
    },
  }),
}));
