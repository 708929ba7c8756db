// SQL fragments shared by the scheduler's statements.

/**
 * Current time as a UTC `timestamp` (Prisma stores DateTime as `timestamp(3)` holding UTC), so
 * comparisons do not depend on the session's TimeZone setting.
 */
export const utcNow = `(now() AT TIME ZONE 'UTC')`;

/**
 * A CTE that lets the statement's own transaction commit without waiting for its WAL to reach
 * disk (synchronous_commit off for this transaction only). In the scheduler benchmark this cut
 * PostgreSQL's CPU per week by about a third. A statement joins `async_commit` for it to run.
 * Only statements whose loss in a database crash the scheduler recovers from may use it. A lost
 * attempt row or AMC id is found again by listing the week's executions, and a lost finish runs
 * again from the execution row. A later synchronous commit makes them durable too, because
 * PostgreSQL flushes the WAL in order.
 */
export const asyncCommitCte = `async_commit AS (
  SELECT set_config('synchronous_commit', 'off', true) AS setting
)`;

/** Execution statuses that may still be running at AMC (or, for SUBMITTING, about to be). */
export const activeExecutionStatuses = ["SUBMITTING", "PENDING", "RUNNING", "PUBLISHING"] as const;

/** `('SUBMITTING', ...)` for an IN clause; the values are constants, never user input. */
export const activeExecutionStatusList = `(${activeExecutionStatuses.map((s) => `'${s}'`).join(", ")})`;

/** Anything that runs raw SQL: the Prisma client or an interactive transaction. */
export interface SqlExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Options of the scheduler's interactive transactions. Prisma's default 2 s wait for a pooled
 * connection is too short when dozens of runners finish at once on a small pool.
 */
export const transactionOptions = { maxWait: 30_000, timeout: 30_000 };

/**
 * Locks a collection's row for the rest of the transaction. Transactions that fail a week take
 * this lock before any week lock, so they never wait for a collection while holding a week that
 * another finishing transaction or result ingestion needs.
 */
export async function lockCollectionRow(tx: SqlExecutor, collectionId: string): Promise<void> {
  await tx.$queryRawUnsafe(
    `SELECT 1 AS locked FROM "Collection" WHERE id = $1::uuid FOR UPDATE`,
    collectionId,
  );
}

/**
 * Condition on a "Collection" row `c` that is true while it is ACTIVE with no PENDING or RUNNING
 * week left but may still have to settle: every BACKFILL collection, and ROLLING ones with a
 * week that is not SUCCESS or SKIPPED (a ROLLING collection whose weeks all succeeded waits for
 * its next week instead). A week's success commits before its collection settles, so such a
 * collection exists for a moment after each run, or until the sweep settles it after a crash.
 */
export const unsettledCollectionCondition = `c.status = 'ACTIVE'
  AND NOT EXISTS (
    SELECT 1 FROM "Week" ow WHERE ow."collectionId" = c.id AND ow.status IN ('PENDING', 'RUNNING'))
  AND (c.mode = 'BACKFILL' OR EXISTS (
    SELECT 1 FROM "Week" ow
    WHERE ow."collectionId" = c.id AND ow.status NOT IN ('SUCCESS', 'SKIPPED')))`;
