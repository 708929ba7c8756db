import { openSubscriptions, type ApiTarget } from "./client.ts";
import { getCollection, type CollectionView } from "./collections.ts";
import { collectionUpdatedSubscription } from "./documents.ts";
import { formatProgressBar } from "./output.ts";

const settledStatuses = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

function describeProgress(collection: CollectionView): string {
  const p = collection.progress;
  const failed = p.failed > 0 ? `, ${p.failed} failed` : "";
  return `${formatProgressBar(p.succeeded + p.skipped, p.total)}${failed} ${collection.status}`;
}

/** Turns what graphql-ws reports (an Error, GraphQL errors or a close event) into an Error. */
function describeSubscriptionError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) {
    const messages = error.map((item: { message?: string }) => item.message ?? String(item));
    return new Error(`The subscription failed: ${messages.join("; ")}`);
  }
  const close = error as { code?: number; reason?: string };
  if (typeof close.code === "number") {
    return new Error(
      `The WebSocket closed with code ${close.code}: ${close.reason || "no reason"}.`,
    );
  }
  return new Error(`The subscription failed: ${String(error)}`);
}

/**
 * Follows a collection through the collectionUpdated subscription until it settles, drawing
 * a progress bar on stderr. Events older than the state already shown are dropped by version.
 */
export async function waitForCollection(
  target: ApiTarget,
  id: string,
  options: { quiet: boolean },
): Promise<CollectionView> {
  const client = openSubscriptions(target);
  const interactive = process.stderr.isTTY && !options.quiet;
  let latest: CollectionView | undefined;

  const show = (collection: CollectionView) => {
    // A week's change resends the collection's version with new progress, so only strictly
    // older versions are stale.
    if (latest && collection.version < latest.version) return;
    latest = collection;
    if (options.quiet) return;
    const line = describeProgress(collection);
    process.stderr.write(interactive ? `\r${line}` : `${line}\n`);
  };

  try {
    return await new Promise<CollectionView>((resolve, reject) => {
      const settleIfDone = (collection: CollectionView) => {
        show(collection);
        if (latest && settledStatuses.has(latest.status)) resolve(latest);
      };
      // Subscribe before reading the current state, so no change falls between the two.
      client.subscribe<{
        collectionUpdated: { deleted: boolean; collection: CollectionView | null };
      }>(
        { query: collectionUpdatedSubscription, variables: { id } },
        {
          next: (result) => {
            if (result.errors?.length) {
              reject(describeSubscriptionError(result.errors));
              return;
            }
            const update = result.data?.collectionUpdated;
            if (update?.deleted) reject(new Error(`Collection ${id} was deleted.`));
            else if (update?.collection) settleIfDone(update.collection);
          },
          error: (error) => reject(describeSubscriptionError(error)),
          complete: () => reject(new Error("The server ended the subscription.")),
        },
      );
      getCollection(target, id).then((collection) => {
        if (!collection) reject(new Error(`Collection ${id} not found.`));
        else settleIfDone(collection);
      }, reject);
    });
  } finally {
    if (interactive) process.stderr.write("\n");
    await client.dispose();
  }
}
