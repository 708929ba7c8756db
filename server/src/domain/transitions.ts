import type { CollectionStatus, WeekStatus } from "../generated/prisma/enums.ts";
import { DomainError } from "./errors.ts";

// The lifecycle state machines of collections and weeks. Every write that changes a status
// checks the move here first, so an illegal move fails with the same typed error everywhere.

/** A status change that the entity's state machine does not allow. */
export class IllegalTransitionError extends DomainError {
  override name = "IllegalTransitionError";
  readonly code = "ILLEGAL_TRANSITION";

  constructor(
    readonly entity: "Collection" | "Week",
    readonly entityId: string,
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
    /** Replaces the list of allowed moves in the message when a rule narrower than the table applies. */
    reason?: string,
  ) {
    const next = allowed.length > 0 ? allowed.join(", ") : "nothing (final)";
    super(
      `${entity} ${entityId} cannot move from ${from} to ${to}: ` +
        (reason ?? `from ${from} it may move to ${next}.`),
    );
    this.references = [[entity, entityId]];
  }
}

/**
 * Collection states and moves:
 * - ACTIVE → PAUSED (pause) and PAUSED → ACTIVE (resume). Pause only stops new claims.
 * - ACTIVE or PAUSED → CANCELLED (cancel).
 * - ACTIVE → COMPLETED when every week is SUCCESS or SKIPPED (settle).
 * - ACTIVE → FAILED when no week is PENDING or RUNNING and at least one FAILED (settle).
 * - COMPLETED, FAILED or CANCELLED → ACTIVE when a week is retried or the collection resumed,
 *   so no finished collection is stuck for good.
 */
export const collectionTransitions: Readonly<
  Record<CollectionStatus, readonly CollectionStatus[]>
> = {
  ACTIVE: ["PAUSED", "CANCELLED", "COMPLETED", "FAILED"],
  PAUSED: ["ACTIVE", "CANCELLED"],
  COMPLETED: ["ACTIVE"],
  FAILED: ["ACTIVE"],
  CANCELLED: ["ACTIVE"],
};

/**
 * Week states and moves:
 * - PENDING → RUNNING when the scheduler claims the week.
 * - RUNNING → SUCCESS or FAILED when its execution ends.
 * - RUNNING → PENDING when the scheduler backs off after a transient error or a lease expires.
 * - FAILED or CANCELLED → PENDING by retry, and SUCCESS → PENDING by a forced retry.
 * - PENDING or RUNNING → CANCELLED by cancel.
 * - PENDING → SKIPPED for a week excluded on purpose.
 */
export const weekTransitions: Readonly<Record<WeekStatus, readonly WeekStatus[]>> = {
  PENDING: ["RUNNING", "CANCELLED", "SKIPPED"],
  RUNNING: ["SUCCESS", "FAILED", "PENDING", "CANCELLED"],
  SUCCESS: ["PENDING"],
  FAILED: ["PENDING"],
  CANCELLED: ["PENDING"],
  SKIPPED: [],
};

/** Week statuses from which the week can still run: it waits for a claim or is running. */
export const openWeekStatuses: readonly WeekStatus[] = ["PENDING", "RUNNING"];

/** Returns true when the collection state machine allows `from` → `to`. */
export function canTransitionCollection(from: CollectionStatus, to: CollectionStatus): boolean {
  return collectionTransitions[from].includes(to);
}

/** Returns true when the week state machine allows `from` → `to`. */
export function canTransitionWeek(from: WeekStatus, to: WeekStatus): boolean {
  return weekTransitions[from].includes(to);
}

/** Throws IllegalTransitionError unless a collection may move from `from` to `to`. */
export function assertCollectionTransition(
  collectionId: string,
  from: CollectionStatus,
  to: CollectionStatus,
): void {
  if (!canTransitionCollection(from, to)) {
    throw new IllegalTransitionError(
      "Collection",
      collectionId,
      from,
      to,
      collectionTransitions[from],
    );
  }
}

/** Throws IllegalTransitionError unless a week may move from `from` to `to`. */
export function assertWeekTransition(weekId: string, from: WeekStatus, to: WeekStatus): void {
  if (!canTransitionWeek(from, to)) {
    throw new IllegalTransitionError("Week", weekId, from, to, weekTransitions[from]);
  }
}
