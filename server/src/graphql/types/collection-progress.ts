import { builder } from "../builder.ts";
import type { WeekStatusCounts } from "../loaders.ts";

/** Week counts of a collection by status. */
export interface CollectionProgressShape {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

/** Builds the progress of a collection from its week counts per status. */
export function toProgress(counts: WeekStatusCounts): CollectionProgressShape {
  const progress = {
    pending: counts.PENDING ?? 0,
    running: counts.RUNNING ?? 0,
    succeeded: counts.SUCCESS ?? 0,
    failed: counts.FAILED ?? 0,
    skipped: counts.SKIPPED ?? 0,
    cancelled: counts.CANCELLED ?? 0,
  };
  const total = Object.values(progress).reduce((sum, count) => sum + count, 0);
  return { total, ...progress };
}

export const CollectionProgressRef = builder
  .objectRef<CollectionProgressShape>("CollectionProgress")
  .implement({
    description: "How many weeks of a collection are in each status.",
    fields: (t) => ({
      total: t.exposeInt("total", { description: "Number of weeks." }),
      pending: t.exposeInt("pending", { description: "Weeks waiting to run or to be retried." }),
      running: t.exposeInt("running", { description: "Weeks with an execution in flight." }),
      succeeded: t.exposeInt("succeeded", { description: "Weeks with a stored result." }),
      failed: t.exposeInt("failed", { description: "Weeks whose every attempt failed." }),
      skipped: t.exposeInt("skipped", { description: "Weeks that were not run." }),
      cancelled: t.exposeInt("cancelled", { description: "Weeks stopped by a cancellation." }),
      percent: t.float({
        description:
          "Share of weeks that are finished (succeeded, failed, skipped or cancelled), from 0 to 100, rounded to one decimal; 0 when there are no weeks.",
        resolve: (progress) => {
          if (progress.total === 0) return 0;
          const finished =
            progress.succeeded + progress.failed + progress.skipped + progress.cancelled;
          return Math.round((finished / progress.total) * 1000) / 10;
        },
      }),
    }),
  });
