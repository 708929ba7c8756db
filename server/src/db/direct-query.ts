import type pg from "pg";
import type { Database } from "./database.ts";

// Statements that run once or more per week go straight to the driver under Prisma, because
// Prisma's client adds CPU time to every query and the scheduler runs thousands of them a minute.
// On PostgreSQL each one is a named prepared statement on the database's statement pool, whose
// sessions use generic plans, so the server plans it once per connection instead of on every
// call. Values come back as the driver parses them, which differs between drivers for
// timestamps, so these statements return times as epoch milliseconds.

/** A statement with a name that is unique in this process and fixed SQL text. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** Returns a named statement; the name identifies its prepared plan on PostgreSQL. */
export function namedStatement(name: string, text: string): NamedStatement {
  return { name, text };
}

/** Runs one statement and returns its rows, inside or outside a transaction. */
export type DirectQuery = <Row>(statement: NamedStatement, values: unknown[]) => Promise<Row[]>;

/** Returns the statement runner of one pooled connection, for a transaction on it. */
function clientQuery(client: pg.PoolClient): DirectQuery {
  return async <Row>(statement: NamedStatement, values: unknown[]) => {
    const result = await client.query({ name: statement.name, text: statement.text, values });
    return result.rows as Row[];
  };
}

function noDriver(database: Database): Error {
  return new Error(`Database ${database.description} has neither a pool nor a PGlite handle.`);
}

/** Runs a statement on the database's own driver and returns its rows. */
export async function queryDirect<Row>(
  database: Database,
  statement: NamedStatement,
  values: unknown[],
): Promise<Row[]> {
  if (database.statementPool) {
    const result = await database.statementPool.query({
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
  throw noDriver(database);
}

/**
 * Runs `work` in one transaction on the database's own driver, committing when it resolves and
 * rolling back when it throws. `opening` is SQL without parameters that runs right after BEGIN;
 * on PostgreSQL it goes in the same round trip.
 */
export async function transactionDirect<T>(
  database: Database,
  opening: string,
  work: (query: DirectQuery) => Promise<T>,
): Promise<T> {
  if (database.statementPool) {
    const client = await database.statementPool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN; ${opening}`);
      const result = await work(clientQuery(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        // A connection that cannot roll back is not returned to the pool.
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
  if (database.pglite) {
    return database.pglite.transaction(async (tx) => {
      await tx.exec(opening);
      return work(async <Row>(statement: NamedStatement, values: unknown[]) => {
        const result = await tx.query<Row>(statement.text, values);
        return result.rows;
      });
    });
  }
  throw noDriver(database);
}
