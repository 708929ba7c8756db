import type { Database } from "../db/database.ts";
import { namedStatement, queryDirect, transactionDirect } from "../db/direct-query.ts";
import { eventsChannelSql } from "../events/notify.ts";
import { weekJobColumns, type WeekJobRow } from "./job.ts";
import {
  activeExecutionStatusList,
  unsettledCollectionCondition,
  utcNow,
  type SqlExecutor,
} from "./sql.ts";

// Claiming weeks. Every replica runs the same claim; the database is the only coordinator.
//
// A claim is one transaction of two statements. The first takes a transaction-level advisory
// lock, so claims run one at a time across all replicas. The second starts after the lock is
// held, so under READ COMMITTED its snapshot includes every earlier claim, and it counts what
// is running and takes leases in the same statement. That keeps the limits true at every
// instant: nothing else turns a week RUNNING, and finishing a week only frees slots.
//
// Claims and takeovers run on the driver as named statements (src/db/direct-query.ts): planning
// the claim took several times longer than running it.

/**
 * First half of the advisory lock key that serialises claims, an arbitrary constant of this
 * project. The second half is a hash of the schema, so deployments in different schemas of one
 * database claim independently.
 */
export const claimLockClass = 730_520_261;

/** Limits a claim respects, counted over the whole database. */
export interface ClaimLimits {
  /** Collections with at least one RUNNING week. */
  maxActiveCollections: number;
  /** RUNNING weeks of one collection. */
  maxRunningWeeksPerCollection: number;
  /** Upper bound on each instance's own `maxConcurrentExecutions`. */
  maxRunningPerInstance: number;
}

/** A week this replica now holds the lease of, with what its runner needs. */
export interface ClaimedWeek extends WeekJobRow {
  weekId: string;
  collectionId: string;
  /** Attempt number, counted by the claim; the execution of this attempt has this number. */
  attempt: number;
  version: number;
}

/**
 * The claim statement. Steps:
 * 1. `running`: RUNNING weeks per collection and instance.
 * 2. `instance_load`: per instance, RUNNING weeks plus executions that may still run at AMC for
 *    weeks that are no longer RUNNING (cancelled, not yet cancelled at AMC), against its cap.
 * 3. `candidates`: claimable weeks, numbered within their collection by start date, kept only
 *    while the collection stays within its own limit.
 * 4. `admitted`: collections already running keep going; new ones start in creation order
 *    while collection slots remain, skipping collections whose instance is full. A collection
 *    whose last week succeeded but which has not settled yet still takes a slot.
 * 5. `ranked`: per instance, weeks ordered by the collection's running count after the claim,
 *    so collections sharing an instance get slots in turn and a huge one cannot starve others.
 * 6. `claimed`: the update takes the lease, counts the attempt and bumps the version.
 * 7. `notified`: one change event per claimed week, delivered when the claim commits.
 * It returns each week with its collection, instance and account, so the runner needs no other
 * query.
 */
const claimSql = namedStatement(
  "scheduler_claim",
  `
WITH running AS (
  SELECT w."collectionId", c."instanceId", count(*)::int AS n
  FROM "Week" w JOIN "Collection" c ON c.id = w."collectionId"
  WHERE w.status = 'RUNNING'
  GROUP BY w."collectionId", c."instanceId"
),
orphaned AS (
  SELECT c."instanceId", count(*)::int AS n
  FROM "Execution" e
  JOIN "Week" w ON w.id = e."weekId"
  JOIN "Collection" c ON c.id = w."collectionId"
  WHERE e.status IN ${activeExecutionStatusList} AND w.status <> 'RUNNING'
  GROUP BY c."instanceId"
),
instance_load AS (
  SELECT i.id AS "instanceId",
    LEAST(i."maxConcurrentExecutions", $5::int) AS cap,
    COALESCE((SELECT sum(r.n) FROM running r WHERE r."instanceId" = i.id), 0)::int
      + COALESCE((SELECT o.n FROM orphaned o WHERE o."instanceId" = i.id), 0) AS used
  FROM "Instance" i
),
candidates AS (
  SELECT w.id, w."collectionId", c."instanceId", c."createdAt" AS "collectionCreatedAt",
    COALESCE(r.n, 0) AS "collectionRunning",
    row_number() OVER (PARTITION BY w."collectionId" ORDER BY w."startDate") AS "rankInCollection"
  FROM "Week" w
  JOIN "Collection" c ON c.id = w."collectionId"
  LEFT JOIN running r ON r."collectionId" = w."collectionId"
  WHERE w.status = 'PENDING' AND c.status = 'ACTIVE'
    AND w."nextAttemptAt" <= ${utcNow} AND w."dataReadyAt" <= ${utcNow}
),
within_collection AS (
  SELECT * FROM candidates WHERE "collectionRunning" + "rankInCollection" <= $4::int
),
new_collections AS (
  SELECT "collectionId",
    row_number() OVER (ORDER BY min("collectionCreatedAt"), "collectionId") AS "startRank"
  FROM within_collection wc
  JOIN instance_load il ON il."instanceId" = wc."instanceId"
  WHERE wc."collectionRunning" = 0 AND il.used < il.cap
  GROUP BY "collectionId"
),
unsettled AS (
  SELECT count(*)::int AS n FROM "Collection" c WHERE ${unsettledCollectionCondition}
),
admitted AS (
  SELECT wc.* FROM within_collection wc
  LEFT JOIN new_collections nc ON nc."collectionId" = wc."collectionId"
  WHERE wc."collectionRunning" > 0
    OR nc."startRank" <= $3::int - (SELECT count(DISTINCT "collectionId") FROM running)
      - (SELECT n FROM unsettled)
),
ranked AS (
  SELECT a.id, a."collectionCreatedAt", a."rankInCollection", a."instanceId",
    row_number() OVER (
      PARTITION BY a."instanceId"
      ORDER BY a."collectionRunning" + a."rankInCollection", a."collectionCreatedAt", a."collectionId"
    ) AS "rankInInstance"
  FROM admitted a
),
chosen AS (
  SELECT r.id FROM ranked r
  JOIN instance_load il ON il."instanceId" = r."instanceId"
  WHERE il.used + r."rankInInstance" <= il.cap
  ORDER BY r."collectionCreatedAt", r."rankInCollection"
  LIMIT $6::int
),
locked AS (
  SELECT w.id FROM "Week" w
  WHERE w.id IN (SELECT id FROM chosen) AND w.status = 'PENDING'
  FOR UPDATE SKIP LOCKED
),
claimed AS (
UPDATE "Week" w SET
  status = 'RUNNING',
  attempts = w.attempts + 1,
  "leaseOwner" = $1,
  "leaseExpiresAt" = ${utcNow} + make_interval(secs => $2::double precision / 1000),
  "startedAt" = COALESCE(w."startedAt", ${utcNow}),
  "errorMessage" = NULL,
  "finishedAt" = NULL,
  version = w.version + 1,
  "updatedAt" = ${utcNow}
FROM locked, "Collection" c, "Instance" i, "Account" a
WHERE w.id = locked.id AND c.id = w."collectionId" AND i.id = c."instanceId" AND a.id = i."accountId"
RETURNING w.attempts AS attempt, w.version, ${weekJobColumns}
),
notified AS (
  SELECT count(pg_notify(${eventsChannelSql}, json_build_object('type', 'week',
    'id', claimed."weekId", 'collectionId', claimed."collectionId", 'version', claimed.version,
    'status', 'RUNNING')::text))::int AS n
  FROM claimed
)
SELECT claimed.* FROM claimed, notified`,
);

/**
 * Claims up to `batchSize` weeks for `owner`, within the limits, in one transaction. Returns
 * the claimed weeks, already RUNNING with their attempt counted.
 */
export async function claimWeeks(
  database: Database,
  owner: string,
  leaseMs: number,
  limits: ClaimLimits,
  batchSize: number,
): Promise<ClaimedWeek[]> {
  return transactionDirect(database, lockClaimsSql, (query) =>
    query<ClaimedWeek>(claimSql, [
      owner,
      leaseMs,
      limits.maxActiveCollections,
      limits.maxRunningWeeksPerCollection,
      limits.maxRunningPerInstance,
      batchSize,
    ]),
  );
}

/** Takes the claim lock of the current schema for the rest of the transaction. */
const lockClaimsSql = `SELECT pg_advisory_xact_lock(${claimLockClass}, hashtext(current_schema()))`;

const takeOverSql = namedStatement(
  "scheduler_take_over",
  `UPDATE "Week" w SET
     "leaseOwner" = $1,
     "leaseExpiresAt" = ${utcNow} + make_interval(secs => $2::double precision / 1000),
     "updatedAt" = ${utcNow}
   FROM (
     SELECT id FROM "Week"
     WHERE status = 'RUNNING' AND "leaseExpiresAt" < ${utcNow}
     ORDER BY "leaseExpiresAt"
     LIMIT $3::int
     FOR UPDATE SKIP LOCKED
   ) expired, "Collection" c, "Instance" i, "Account" a
   WHERE w.id = expired.id AND c.id = w."collectionId" AND i.id = c."instanceId"
     AND a.id = i."accountId"
   RETURNING w.attempts AS attempt, w.version, ${weekJobColumns}`,
);

/**
 * Takes over RUNNING weeks whose lease expired because their replica died or stalled. The week
 * stays RUNNING and keeps its attempt; the new owner resumes it from its execution row.
 */
export async function takeOverExpiredLeases(
  database: Database,
  owner: string,
  leaseMs: number,
  batchSize: number,
): Promise<ClaimedWeek[]> {
  return queryDirect<ClaimedWeek>(database, takeOverSql, [owner, leaseMs, batchSize]);
}

/**
 * Extends the leases `owner` holds on the given weeks. Returns the ids still held; a week
 * missing from the result was finished, cancelled or taken over, and its runner must stop.
 */
export async function renewLeases(
  prisma: SqlExecutor,
  owner: string,
  leaseMs: number,
  weekIds: string[],
): Promise<Set<string>> {
  if (weekIds.length === 0) return new Set();
  const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE "Week" SET
       "leaseExpiresAt" = ${utcNow} + make_interval(secs => $2::double precision / 1000)
     WHERE id = ANY($3::uuid[]) AND "leaseOwner" = $1 AND status = 'RUNNING'
     RETURNING id`,
    owner,
    leaseMs,
    weekIds,
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * Lets every RUNNING week leased by another owner be taken over at once, when no other process
 * can be running. Returns how many.
 */
export function expireOtherLeases(prisma: SqlExecutor, owner: string): Promise<number> {
  return prisma.$executeRawUnsafe(
    `UPDATE "Week" SET "leaseExpiresAt" = ${utcNow} - interval '1 millisecond'
     WHERE status = 'RUNNING' AND "leaseOwner" IS DISTINCT FROM $1`,
    owner,
  );
}

/** Lets the given RUNNING weeks be taken over at once, for a graceful stop. */
export async function releaseLeases(
  prisma: SqlExecutor,
  owner: string,
  weekIds: string[],
): Promise<void> {
  if (weekIds.length === 0) return;
  await prisma.$executeRawUnsafe(
    `UPDATE "Week" SET "leaseExpiresAt" = ${utcNow} - interval '1 millisecond'
     WHERE id = ANY($2::uuid[]) AND "leaseOwner" = $1 AND status = 'RUNNING'`,
    owner,
    weekIds,
  );
}
