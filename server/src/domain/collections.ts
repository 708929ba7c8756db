import { notifyChange } from "../events/notify.ts";
import type { Collection, Execution, Prisma } from "../generated/prisma/client.ts";
import {
  hashCollectionInput,
  validateCollectionInput,
  type CreateCollectionInput,
  type CreateCollectionOptions,
  type ValidatedCollection,
} from "./collection-input.ts";
import {
  findActiveExecutions,
  insertWeeks,
  isUniqueViolation,
  isUuid,
  lockCollection,
  lockWeeksOfCollection,
  setCollectionStatus,
  setWeekStatuses,
  type Db,
  type Tx,
} from "./db.ts";
import { ConflictError, NotFoundError } from "./errors.ts";
import { settleCollection } from "./settle.ts";
import { assertCollectionTransition, IllegalTransitionError } from "./transitions.ts";
import { resetWeeks } from "./week-actions.ts";
import { dayToDbDate } from "./weeks.ts";

export type { CreateCollectionInput, CreateCollectionOptions } from "./collection-input.ts";
export { appendRollingWeeks } from "./rolling.ts";
export { settleCollection } from "./settle.ts";
export { retryFailedWeeks, retryWeek, skipWeek, type RetryWeekOptions } from "./week-actions.ts";

// Creating collections and the user actions on a whole collection. Each write runs in one
// transaction, bumps the version of every row whose status changes and queues its change event.

/**
 * Validates the input, then stores the collection with all its weeks in one transaction. The
 * collection keeps a snapshot of the workflow's SQL, parameters and version, so later workflow
 * edits do not change it. With an idempotency key, a repeat of the same input returns the
 * collection created first, and other input under that key raises ConflictError. Throws
 * DomainValidationError, listing every problem, before anything is stored.
 */
export async function createCollection(
  prisma: Db,
  input: CreateCollectionInput,
  options: CreateCollectionOptions,
): Promise<Collection> {
  const requestHash = hashCollectionInput(input);
  const key = input.idempotencyKey ?? null;
  if (key !== null) {
    const existing = await findByIdempotencyKey(prisma, key, requestHash);
    if (existing) return existing;
  }

  const workflow = isUuid(input.workflowId)
    ? await prisma.workflow.findUnique({ where: { id: input.workflowId } })
    : null;
  const instance = isUuid(input.instanceId)
    ? await prisma.instance.findUnique({ where: { id: input.instanceId }, select: { id: true } })
    : null;
  const validated = validateCollectionInput(input, workflow, instance !== null, options);

  try {
    return await prisma.$transaction((tx) =>
      insertCollection(tx, input, validated, workflow!, { key, requestHash, now: options.now }),
    );
  } catch (error) {
    // Two requests with one key can pass the lookup at once; the unique index lets one win.
    if (key !== null && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(prisma, key, requestHash);
      if (existing) return existing;
    }
    throw error;
  }
}

async function findByIdempotencyKey(
  prisma: Db,
  key: string,
  requestHash: string,
): Promise<Collection | null> {
  const existing = await prisma.collection.findUnique({ where: { idempotencyKey: key } });
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new ConflictError(
      `Idempotency key "${key}" was already used for collection ${existing.id} with different input: ` +
        "use a new key for a new collection, or repeat the original input exactly.",
      "IDEMPOTENCY_KEY_REUSED",
      [["Collection", existing.id]],
    );
  }
  return existing;
}

async function insertCollection(
  tx: Tx,
  input: CreateCollectionInput,
  validated: ValidatedCollection,
  workflow: { id: string; sqlTemplate: string; version: number },
  extra: { key: string | null; requestHash: string; now: Date },
): Promise<Collection> {
  const collection = await tx.collection.create({
    data: {
      name: validated.name,
      workflowId: workflow.id,
      instanceId: input.instanceId,
      startDate: dayToDbDate(validated.startDate),
      endDate: dayToDbDate(validated.endDate),
      timezone: validated.timezone,
      mode: validated.mode,
      parameterValues: validated.parameterValues as Prisma.InputJsonValue,
      sqlSnapshot: workflow.sqlTemplate,
      parametersSnapshot: validated.parameters as unknown as Prisma.InputJsonValue,
      workflowVersion: workflow.version,
      idempotencyKey: extra.key,
      requestHash: extra.requestHash,
    },
  });
  await insertWeeks(tx, collection.id, validated.weeks, validated.timezone, extra.now);
  await notifyChange(tx, {
    type: "collection",
    id: collection.id,
    version: collection.version,
    status: collection.status,
  });
  return collection;
}

/** Pauses an ACTIVE collection: no new week is claimed, and RUNNING weeks finish normally. */
export async function pauseCollection(
  prisma: Db,
  collectionId: string,
  options: { now?: Date } = {},
): Promise<Collection> {
  return changeCollection(prisma, collectionId, async (tx, status) => {
    assertCollectionTransition(collectionId, status, "PAUSED");
    await setCollectionStatus(tx, collectionId, "PAUSED", options.now ?? new Date());
  });
}

/**
 * Resumes a PAUSED collection, or a CANCELLED one by putting its CANCELLED weeks back to
 * PENDING. It then settles, because weeks may all have finished while the collection was
 * paused, and no scheduler tick settles a collection that has nothing left to run.
 */
export async function resumeCollection(
  prisma: Db,
  collectionId: string,
  options: { now?: Date } = {},
): Promise<Collection> {
  const now = options.now ?? new Date();
  return changeCollection(prisma, collectionId, async (tx, status, weeks) => {
    if (status !== "PAUSED" && status !== "CANCELLED") {
      throw new IllegalTransitionError(
        "Collection",
        collectionId,
        status,
        "ACTIVE",
        [],
        "only PAUSED and CANCELLED collections resume; retry its weeks instead.",
      );
    }
    if (status === "CANCELLED") {
      const cancelled = weeks.filter((week) => week.status === "CANCELLED").map((week) => week.id);
      const active = await findActiveExecutions(tx, cancelled);
      if (active.length > 0) {
        throw new ConflictError(
          `Collection ${collectionId} still has ${active.length} execution(s) being cancelled at AMC; ` +
            "try again in a few seconds.",
          "EXECUTION_IN_FLIGHT",
          [["Collection", collectionId]],
        );
      }
      await resetWeeks(tx, cancelled, now);
    }
    await setCollectionStatus(tx, collectionId, "ACTIVE", now);
    await settleCollection(tx, collectionId, now);
  });
}

/**
 * Cancels an ACTIVE or PAUSED collection: it and its PENDING and RUNNING weeks become
 * CANCELLED, with leases cleared, so nothing is left waiting. Execution rows stay as they are:
 * the scheduler cancels at AMC every execution still in flight whose week is CANCELLED.
 */
export async function cancelCollection(
  prisma: Db,
  collectionId: string,
  options: { now?: Date } = {},
): Promise<Collection> {
  const now = options.now ?? new Date();
  return changeCollection(prisma, collectionId, async (tx, status, weeks) => {
    assertCollectionTransition(collectionId, status, "CANCELLED");
    await cancelOpenWeeks(tx, weeks, now);
    await setCollectionStatus(tx, collectionId, "CANCELLED", now);
  });
}

async function cancelOpenWeeks(
  tx: Tx,
  weeks: { id: string; status: string }[],
  now: Date,
): Promise<void> {
  const open = weeks.filter((week) => week.status === "PENDING" || week.status === "RUNNING");
  await setWeekStatuses(
    tx,
    open.map((week) => week.id),
    "CANCELLED",
    { finishedAt: now, errorMessage: "Cancelled by a user." },
  );
}

/** Options of deleteCollection. */
export interface DeleteCollectionOptions {
  /** Cancels executions that may still run at AMC; awaited before the rows are deleted. */
  cancelInFlight?: (executions: Execution[]) => Promise<void>;
  now?: Date;
}

/**
 * Deletes a collection with its weeks, executions and results. An ACTIVE or PAUSED collection
 * is cancelled first, in its own transaction, so the scheduler stops claiming its weeks. Then
 * `cancelInFlight` receives the executions still in flight, and only after it returns are the
 * rows deleted.
 */
export async function deleteCollection(
  prisma: Db,
  collectionId: string,
  options: DeleteCollectionOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await changeCollection(prisma, collectionId, async (tx, status, weeks) => {
    if (status !== "ACTIVE" && status !== "PAUSED") return;
    await cancelOpenWeeks(tx, weeks, now);
    await setCollectionStatus(tx, collectionId, "CANCELLED", now);
  });

  const weeks = await prisma.week.findMany({ where: { collectionId }, select: { id: true } });
  const inFlight = await findActiveExecutions(
    prisma,
    weeks.map((week) => week.id),
  );
  if (inFlight.length > 0 && options.cancelInFlight) await options.cancelInFlight(inFlight);

  await prisma.$transaction(async (tx) => {
    await lockCollection(tx, collectionId);
    // Deleting the rows also deletes the only record of the weeks' saved workflows, so they are
    // listed for the scheduler's cleanup first (src/scheduler/workflow-cleanup.ts).
    await tx.$executeRawUnsafe(
      `INSERT INTO "AmcWorkflowDeletion" (id, "instanceId", "amcWorkflowId", "createdAt")
       SELECT gen_random_uuid(), c."instanceId", e."amcWorkflowId", now() AT TIME ZONE 'UTC'
       FROM "Execution" e
       JOIN "Week" w ON w.id = e."weekId"
       JOIN "Collection" c ON c.id = w."collectionId"
       WHERE c.id = $1::uuid AND e."amcWorkflowId" IS NOT NULL AND e."amcWorkflowDeletedAt" IS NULL
       GROUP BY c."instanceId", e."amcWorkflowId"
       ON CONFLICT ("instanceId", "amcWorkflowId") DO NOTHING`,
      collectionId,
    );
    await tx.collection.delete({ where: { id: collectionId } });
    await notifyChange(tx, { type: "collectionDeleted", id: collectionId });
  });
}

/**
 * Runs `change` in a transaction holding the collection's row and then its week rows (the
 * lock order in db.ts), and returns the collection as committed.
 */
async function changeCollection(
  prisma: Db,
  collectionId: string,
  change: (
    tx: Tx,
    status: Collection["status"],
    weeks: { id: string; status: string }[],
  ) => Promise<unknown>,
): Promise<Collection> {
  if (!isUuid(collectionId)) throw new NotFoundError("Collection", collectionId);
  return prisma.$transaction(async (tx) => {
    const collection = await lockCollection(tx, collectionId);
    const weeks = await lockWeeksOfCollection(tx, collectionId);
    await change(tx, collection.status, weeks);
    return tx.collection.findUniqueOrThrow({ where: { id: collectionId } });
  });
}
