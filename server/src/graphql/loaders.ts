import type { PrismaClient } from "../generated/prisma/client.ts";

// Per-operation batch loaders for values that Prisma selections cannot express, such as
// aggregates per collection. A page of 20 collections asking for `progress` costs one grouped
// query, not 20.

/**
 * Collects the keys requested during one turn of the event loop and loads them together. Values
 * are shared only within a batch, so a long-lived subscription context never serves stale ones.
 */
export class BatchLoader<K, V> {
  private pending: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];
  private readonly cache = new Map<K, Promise<V>>();

  constructor(private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>) {}

  /** Returns the value for `key`, loaded in one batch with the other keys of this turn. */
  load(key: K): Promise<V> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ key, resolve, reject });
    });
    this.cache.set(key, promise);
    return promise;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.cache.clear();
    try {
      const values = await this.loadMany(batch.map((entry) => entry.key));
      for (const entry of batch) entry.resolve(values.get(entry.key) as V);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}

/** Number of weeks of a collection in each status. */
export type WeekStatusCounts = Partial<Record<string, number>>;

/** Loaders of one GraphQL operation. */
export interface BatchLoaders {
  weekStatusCounts: BatchLoader<string, WeekStatusCounts>;
  averageWeekDurationMs: BatchLoader<string, number | null>;
}

/** Creates fresh loaders; call once per operation so cached values never go stale. */
export function createLoaders(prisma: PrismaClient): BatchLoaders {
  return {
    weekStatusCounts: new BatchLoader(async (collectionIds) => {
      const groups = await prisma.week.groupBy({
        by: ["collectionId", "status"],
        where: { collectionId: { in: collectionIds } },
        _count: { _all: true },
      });
      const counts = new Map<string, WeekStatusCounts>(collectionIds.map((id) => [id, {}]));
      for (const group of groups) {
        counts.get(group.collectionId)![group.status] = group._count._all;
      }
      return counts;
    }),
    averageWeekDurationMs: new BatchLoader(async (collectionIds) => {
      const groups = await prisma.week.groupBy({
        by: ["collectionId"],
        where: {
          collectionId: { in: collectionIds },
          status: "SUCCESS",
          durationMs: { not: null },
        },
        _avg: { durationMs: true },
      });
      const averages = new Map<string, number | null>(collectionIds.map((id) => [id, null]));
      for (const group of groups) {
        const average = group._avg.durationMs;
        averages.set(group.collectionId, average === null ? null : Math.round(average));
      }
      return averages;
    }),
  };
}

const weekCountsKey = Symbol("weekCounts");

/** Attaches week counts loaded ahead of time, e.g. once per change event for all subscribers. */
export function attachWeekCounts<T extends object>(collection: T, counts: WeekStatusCounts): T {
  Object.defineProperty(collection, weekCountsKey, { value: counts, enumerable: false });
  return collection;
}

/** Returns week counts attached with attachWeekCounts, if any. */
export function weekCountsOf(collection: object): WeekStatusCounts | undefined {
  return (collection as { [weekCountsKey]?: WeekStatusCounts })[weekCountsKey];
}
