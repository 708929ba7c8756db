import type { Database } from "./database.ts";

// Statements that run once or more per week go straight to the driver under Prisma, because
// Prisma's client adds CPU time to every query and the scheduler runs thousands of them a minute.
// On PostgreSQL each one is a named prepared statement, so the server plans it once per pooled
// connection instead of on every call. Values come back as the driver parses them, which differs
// between drivers for timestamps, so these statements return times as epoch milliseconds.

/** A statement with a name that is unique in this process and fixed SQL text. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** Returns a named statement; the name identifies its prepared plan on PostgreSQL. */
export function namedStatement(name: string, text: string): NamedStatement {
  return { name, text };
}

/** Runs a statement on the database's own driver and returns its rows. */
export async function queryDirect<Row>(
  database: Database,
  statement: NamedStatement,
  values: unknown[],
): Promise<Row[]> {
  if (database.pool) {
    const result = await database.pool.query({
      name: statement.name,
      text: statement.text,
      values,
    });
    return result.rows as Row[];
  }
  if (database.pglite) {
    const result = await database.pglite.query<Row>(statement.text, values);
    return result.rows;
  }
  throw new Error(`Database ${database.description} has neither a pool nor a PGlite handle.`);
}
