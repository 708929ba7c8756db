import { encodeGlobalID } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { filter } from "graphql-yoga";
import type { CollectionChange } from "../../events/change-bus.ts";
import { builder } from "../builder.ts";
import { ErrorCode } from "../authorize.ts";
import type { GraphQLContext } from "../context.ts";
import { parseGlobalId } from "../ids.ts";
import { CollectionRef } from "./collection.ts";
import { WeekRef } from "./week.ts";

// Subscriptions deliver rows as stored after a change. A subscriber never receives an older
// version of a row after a newer one: events can be merged or arrive late, so each
// subscription remembers the last version it sent per row and drops anything older.

const CollectionUpdateRef = builder.objectRef<CollectionChange>("CollectionUpdate").implement({
  description: "A change of a collection: its new state, or its deletion.",
  fields: (t) => ({
    id: t.id({
      description: "Global id of the collection.",
      resolve: (change) => encodeGlobalID("Collection", change.id),
    }),
    collection: t.field({
      type: CollectionRef,
      nullable: true,
      description: "The collection after the change; null when it was deleted.",
      resolve: (change) => change.collection,
    }),
    deleted: t.boolean({
      description: "True when the collection was deleted.",
      resolve: (change) => change.collection === null,
    }),
  }),
});

/**
 * Passes on the items whose version is not below the last one passed for the same id. It is a
 * yoga `filter` because its `return()` unsubscribes at once. An async generator cannot return
 * while it awaits the next event, so an idle topic would keep its listener forever.
 */
function inVersionOrder<T>(
  source: AsyncIterable<T>,
  keyOf: (item: T) => { id: string; version: number },
  allowEqual: boolean,
): AsyncIterable<T> {
  const lastVersions = new Map<string, number>();
  return filter((item: T) => {
    const { id, version } = keyOf(item);
    const last = lastVersions.get(id);
    if (last !== undefined && (version < last || (!allowEqual && version === last))) return false;
    lastVersions.set(id, version);
    return true;
  })(source);
}

async function requireCollectionId(context: GraphQLContext, globalId: string): Promise<string> {
  const id = parseGlobalId(globalId, "Collection");
  const exists = id && (await context.prisma.collection.count({ where: { id } })) > 0;
  if (!id || !exists) {
    throw new GraphQLError(
      `Collection ${globalId} not found: check the id, or list collections to find it.`,
      { extensions: { code: ErrorCode.NOT_FOUND } },
    );
  }
  return id;
}

const collectionKey = (change: CollectionChange) => ({
  id: change.id,
  version: change.collection?.version ?? Number.MAX_SAFE_INTEGER,
});

builder.subscriptionFields((t) => ({
  weekUpdated: t.field({
    type: WeekRef,
    description:
      "Sends a week of the collection each time it changes (status, attempts, result). Versions of a week only increase.",
    args: { collectionId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, context) => {
      const collectionId = await requireCollectionId(context, String(args.collectionId));
      return inVersionOrder(context.changes.subscribeWeeks(collectionId), (week) => week, false);
    },
    resolve: (week) => week,
  }),
  collectionUpdated: t.field({
    type: CollectionUpdateRef,
    description:
      "Sends the collection each time it or one of its weeks changes, and once more when it is deleted. Its version never decreases; a week's change resends the same version with new progress.",
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, context) => {
      const collectionId = await requireCollectionId(context, String(args.id));
      return inVersionOrder(context.changes.subscribeCollection(collectionId), collectionKey, true);
    },
    resolve: (change) => change,
  }),
  collectionsUpdated: t.field({
    type: CollectionUpdateRef,
    description:
      "Sends every collection each time it or one of its weeks changes, and deletions; for lists of collections.",
    subscribe: (_root, _args, context) =>
      inVersionOrder(context.changes.subscribeCollections(), collectionKey, true),
    resolve: (change) => change,
  }),
}));
