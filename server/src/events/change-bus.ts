import { createPubSub, type PubSub } from "graphql-yoga";
import type { Database } from "../db/database.ts";
import type { Collection, PrismaClient, Week } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import { attachWeekCounts, type WeekStatusCounts } from "../graphql/loaders.ts";
import { CountingEventTarget } from "./counting-event-target.ts";
import { listenForChanges, type ChangeListener } from "./listener.ts";
import type { ChangeEvent } from "./notify.ts";

// Fans change events out to GraphQL subscribers. Events that arrive in the same turn of the
// event loop are merged, and each changed row is loaded once for every subscriber of its topic.
// So 1,000 subscribers of one collection cost one query per change, not 1,000. Rows are loaded
// only for topics that have subscribers.

/** A change of a collection, as the collection subscriptions deliver it. */
export interface CollectionChange {
  id: string;
  /** The collection as stored after the change, with its week counts; null when deleted. */
  collection: Collection | null;
}

type Topics = {
  week: [collectionId: string, week: Week];
  collection: [collectionId: string, change: CollectionChange];
  collections: [change: CollectionChange];
};

/** Publishes committed changes to in-process subscribers. */
export interface ChangeBus {
  /** Yields the weeks of a collection as they change. */
  subscribeWeeks(collectionId: string): AsyncIterable<Week>;
  /** Yields changes of one collection, including changes of its week counts. */
  subscribeCollection(collectionId: string): AsyncIterable<CollectionChange>;
  /** Yields changes of every collection. */
  subscribeCollections(): AsyncIterable<CollectionChange>;
  /**
   * Number of registered event listeners, of every topic or of one ("week:<collectionId>",
   * "collection:<id>", "collections"); it returns to its old value when subscribers leave.
   */
  listenerCount(topic?: string): number;
  /** False while the database connection that delivers events is down. */
  isListening(): boolean;
  /** Handles one change event; the listener calls it, and tests may too. */
  handle(event: ChangeEvent | null): void;
  stop(): Promise<void>;
}

/** Starts listening on the database and returns the bus. */
export async function startChangeBus(database: Database, logger: Logger): Promise<ChangeBus> {
  const target = new CountingEventTarget();
  const pubsub = createPubSub<Topics>({ eventTarget: target as never });
  const fanOut = new FanOut(database.prisma, pubsub, target, logger);
  const listener: ChangeListener = await listenForChanges(
    database,
    (event) => fanOut.handle(event),
    logger,
  );
  return {
    subscribeWeeks: (collectionId) => pubsub.subscribe("week", collectionId),
    subscribeCollection: (collectionId) => pubsub.subscribe("collection", collectionId),
    subscribeCollections: () => pubsub.subscribe("collections"),
    listenerCount: (topic) => (topic === undefined ? target.total() : target.count(topic)),
    isListening: () => listener.isListening(),
    handle: (event) => fanOut.handle(event),
    stop: async () => {
      await listener.stop();
      await fanOut.drain();
    },
  };
}

/** Merges pending events and publishes the loaded rows. */
class FanOut {
  private weekIds = new Set<string>();
  private collectionIds = new Set<string>();
  private deletedIds = new Set<string>();
  private resync = false;
  private scheduled = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly pubsub: PubSub<Topics>,
    private readonly target: CountingEventTarget,
    private readonly logger: Logger,
  ) {}

  handle(event: ChangeEvent | null): void {
    if (event === null) this.resync = true;
    else if (event.type === "week") {
      this.weekIds.add(event.id);
      // A week's change moves its collection's progress, which collection subscribers show.
      this.collectionIds.add(event.collectionId);
    } else if (event.type === "collection") this.collectionIds.add(event.id);
    else if (event.type === "collectionDeleted") this.deletedIds.add(event.id);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flushing.then(() => this.flush());
    });
  }

  drain(): Promise<void> {
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const weekIds = [...this.weekIds];
    const collectionIds = [...this.collectionIds];
    const deletedIds = [...this.deletedIds];
    const resync = this.resync;
    this.weekIds.clear();
    this.collectionIds.clear();
    this.deletedIds.clear();
    this.resync = false;
    try {
      for (const id of deletedIds) this.publishCollection({ id, collection: null });
      if (resync) await this.publishEverythingSubscribed();
      await this.publishWeeks({ id: { in: weekIds } });
      await this.publishCollections(collectionIds.filter((id) => !deletedIds.includes(id)));
    } catch (error) {
      this.logger.error(
        { err: error, weekIds, collectionIds },
        "failed to load changed rows for subscribers; they miss this change",
      );
    }
  }

  private async publishWeeks(where: { id?: { in: string[] }; collectionId?: { in: string[] } }) {
    const ids = where.id?.in ?? where.collectionId?.in ?? [];
    if (ids.length === 0) return;
    const weeks = await this.prisma.week.findMany({ where });
    for (const week of weeks) {
      if (this.target.count(`week:${week.collectionId}`) === 0) continue;
      this.pubsub.publish("week", week.collectionId, week);
    }
  }

  private async publishCollections(ids: string[]): Promise<void> {
    const wanted = ids.filter(
      (id) => this.target.count(`collection:${id}`) > 0 || this.target.count("collections") > 0,
    );
    if (wanted.length === 0) return;
    const [collections, groups] = await Promise.all([
      this.prisma.collection.findMany({ where: { id: { in: wanted } } }),
      this.prisma.week.groupBy({
        by: ["collectionId", "status"],
        where: { collectionId: { in: wanted } },
        _count: { _all: true },
      }),
    ]);
    const counts = new Map<string, WeekStatusCounts>(wanted.map((id) => [id, {}]));
    for (const group of groups) counts.get(group.collectionId)![group.status] = group._count._all;
    for (const collection of collections) {
      attachWeekCounts(collection, counts.get(collection.id)!);
      this.publishCollection({ id: collection.id, collection });
    }
  }

  private publishCollection(change: CollectionChange): void {
    this.pubsub.publish("collection", change.id, change);
    this.pubsub.publish("collections", change);
  }

  /** Republishes every subscribed row after events may have been lost. */
  private async publishEverythingSubscribed(): Promise<void> {
    const weekCollectionIds = this.target.idsOf("week");
    await this.publishWeeks({ collectionId: { in: weekCollectionIds } });
    const collectionIds =
      this.target.count("collections") > 0
        ? (await this.prisma.collection.findMany({ select: { id: true } })).map((row) => row.id)
        : this.target.idsOf("collection");
    await this.publishCollections(collectionIds);
  }
}
