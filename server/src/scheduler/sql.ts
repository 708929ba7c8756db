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
