// SQL fragments shared by the scheduler's statements.

/**
 * Current time as a UTC `timestamp` (Prisma stores DateTime as `timestamp(3)` holding UTC), so
 * comparisons do not depend on the session's TimeZone setting.
 */
export const utcNow = `(now() AT TIME ZONE 'UTC')`;

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
 * Locks a collection's row for the rest of the transaction. Transactions that finish a week take
 * this lock before any week lock, so they never wait for a collection while holding a week that
 * another finishing transaction or result ingestion needs.
 */
export async function lockCollectionRow(tx: SqlExecutor, collectionId: string): Promise<void> {
  await tx.$queryRawUnsafe(
    `SELECT 1 AS locked FROM "Collection" WHERE id = $1::uuid FOR UPDATE`,
    collectionId,
  );
}
