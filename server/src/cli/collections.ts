import { request, type ApiTarget } from "./client.ts";
import {
  collectionQuery,
  collectionStatusMutation,
  collectionsQuery,
  createCollectionMutation,
  deleteCollectionMutation,
  retryFailedWeeksMutation,
  retryWeekMutation,
} from "./documents.ts";
import { UserErrorsError } from "./errors.ts";
import { formatProgressBar, formatTable } from "./output.ts";

/** A collection as the command-line tool reads it. */
export interface CollectionView {
  id: string;
  name: string;
  status: string;
  mode: string;
  startDate: string;
  endDate: string | null;
  timezone: string;
  version: number;
  workflow: { name: string };
  instance: { name: string; amcInstanceId: string };
  progress: {
    total: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    skipped: number;
    cancelled: number;
    percent: number;
  };
}

type UserErrors = ConstructorParameters<typeof UserErrorsError>[0];

function throwOnUserErrors(payload: { userErrors: UserErrors }): void {
  if (payload.userErrors.length > 0) throw new UserErrorsError(payload.userErrors);
}

/** Input of the create command, in the API's terms. */
export interface CreateInput {
  name: string;
  workflowId: string;
  instanceId: string;
  startDate: string;
  endDate?: string;
  timezone?: string;
  mode?: string;
  parameters?: Record<string, unknown>;
  expandToWholeWeeks?: boolean;
  idempotencyKey?: string;
}

export async function createCollection(target: ApiTarget, input: CreateInput) {
  const data = await request<{
    createCollection: { collection: CollectionView | null; userErrors: UserErrors };
  }>(target, createCollectionMutation, { input });
  throwOnUserErrors(data.createCollection);
  return data.createCollection.collection!;
}

export async function listCollections(
  target: ApiTarget,
  filters: { status?: string; search?: string; first?: number },
) {
  const data = await request<{ collections: { totalCount: number; nodes: CollectionView[] } }>(
    target,
    collectionsQuery,
    filters,
  );
  return data.collections;
}

/** A week row of the show command. */
export interface WeekView {
  id: string;
  isoWeek: string;
  startDate: string;
  endDate: string;
  status: string;
  attempts: number;
  errorMessage: string | null;
}

export async function getCollection(target: ApiTarget, id: string) {
  const data = await request<{
    collection: (CollectionView & { weeks: { nodes: WeekView[] } }) | null;
  }>(target, collectionQuery, { id });
  return data.collection;
}

/** Runs pauseCollection, resumeCollection or cancelCollection. */
export async function changeCollectionStatus(
  target: ApiTarget,
  mutation: "pauseCollection" | "resumeCollection" | "cancelCollection",
  id: string,
) {
  const data = await request<
    Record<string, { collection: CollectionView | null; userErrors: UserErrors }>
  >(target, collectionStatusMutation(mutation), { id });
  const payload = data[mutation]!;
  throwOnUserErrors(payload);
  return payload.collection!;
}

export async function deleteCollection(target: ApiTarget, id: string) {
  const data = await request<{
    deleteCollection: { deletedCollectionId: string | null; userErrors: UserErrors };
  }>(target, deleteCollectionMutation, { id });
  throwOnUserErrors(data.deleteCollection);
  return data.deleteCollection.deletedCollectionId;
}

export async function retryWeek(target: ApiTarget, id: string, force: boolean) {
  const data = await request<{
    retryWeek: {
      week: { id: string; isoWeek: string; status: string; attempts: number } | null;
      userErrors: UserErrors;
    };
  }>(target, retryWeekMutation, { id, force });
  throwOnUserErrors(data.retryWeek);
  return data.retryWeek.week!;
}

export async function retryFailedWeeks(target: ApiTarget, collectionId: string) {
  const data = await request<{
    retryFailedWeeks: {
      collection: CollectionView | null;
      retriedCount: number;
      userErrors: UserErrors;
    };
  }>(target, retryFailedWeeksMutation, { collectionId });
  throwOnUserErrors(data.retryFailedWeeks);
  return data.retryFailedWeeks;
}

/** One line per collection: name, status, progress and range. */
export function formatCollections(collections: CollectionView[]): string {
  return formatTable(
    ["ID", "NAME", "STATUS", "PROGRESS", "RANGE", "WORKFLOW", "INSTANCE"],
    collections.map((c) => [
      c.id,
      c.name,
      c.status,
      `${c.progress.succeeded + c.progress.skipped}/${c.progress.total}`,
      `${c.startDate}..${c.endDate ?? "rolling"}`,
      c.workflow.name,
      c.instance.name,
    ]),
  );
}

/** Multi-line summary of one collection. */
export function formatCollection(collection: CollectionView): string {
  const p = collection.progress;
  return [
    `${collection.name} (${collection.id})`,
    `  status    ${collection.status} (${collection.mode})`,
    `  range     ${collection.startDate}..${collection.endDate ?? "rolling"} ${collection.timezone}`,
    `  workflow  ${collection.workflow.name} on ${collection.instance.name}`,
    `  progress  ${formatProgressBar(p.succeeded + p.skipped, p.total)}`,
    `  weeks     ${p.pending} pending, ${p.running} running, ${p.succeeded} succeeded, ` +
      `${p.failed} failed, ${p.skipped} skipped, ${p.cancelled} cancelled`,
  ].join("\n");
}
