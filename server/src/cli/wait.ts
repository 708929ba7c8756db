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
    if (latest && collection.version <= latest.version) return;
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
      client.subscribe<{ collectionUpdated: CollectionView }>(
        { query: collectionUpdatedSubscription, variables: { id } },
        {
          next: (result) => {
            if (result.errors?.length) reject(new Error(result.errors[0]!.message));
            else if (result.data) settleIfDone(result.data.collectionUpdated);
          },
          error: (error) => reject(error instanceof Error ? error : new Error(String(error))),
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
