// Change events for GraphQL subscriptions. Writers send them with pg_notify inside the
// transaction that makes the change, so PostgreSQL delivers them only after that transaction
// commits and drops them on rollback. Every server process LISTENs on the channel (PGlite in
// process, PostgreSQL across replicas) and fans the events out to its subscribers, which load
// the entity by id and drop events whose version is older than what they already sent.

/**
 * SQL expression of the LISTEN/NOTIFY channel of change events, one per schema, so that
 * deployments and test runs sharing a database in different schemas do not see each other's
 * events. PostgreSQL allows channel names of 63 bytes, so a schema whose name would make it
 * longer gets the channel named by the MD5 hash of the schema name instead.
 */
export const eventsChannelSql = `CASE
  WHEN octet_length('amc_collections_events_' || current_schema()) <= 63
  THEN 'amc_collections_events_' || current_schema()
  ELSE 'amc_collections_events_' || md5(current_schema()) END`;

/** A function that runs one query and returns its rows, such as a pg client's or PGlite's `query`. */
type RowQuery = (sql: string) => Promise<{ rows: unknown[] }>;

/**
 * Returns the channel name that writers on the same schema use. The connection must have the
 * search_path of the writers' connections.
 */
export async function readEventsChannel(query: RowQuery): Promise<string> {
  const { rows } = await query(`SELECT ${eventsChannelSql} AS channel`);
  return (rows[0] as { channel: string }).channel;
}

/** Returns the LISTEN statement of a channel, quoted because schema names may need it. */
export function listenStatement(channel: string): string {
  return `LISTEN "${channel.replaceAll('"', '""')}"`;
}

/** Payload of one change event; kept small because NOTIFY payloads are limited to 8000 bytes. */
export type ChangeEvent =
  | { type: "week"; id: string; collectionId: string; version: number; status: string }
  | { type: "collection"; id: string; version: number; status: string }
  | { type: "collectionDeleted"; id: string };

/** Anything that can run a raw statement: a Prisma client or an interactive transaction. */
export interface RawExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** Queues a change event in the caller's transaction; it is delivered when that commits. */
export async function notifyChange(executor: RawExecutor, event: ChangeEvent): Promise<void> {
  await executor.$executeRawUnsafe(
    `SELECT pg_notify(${eventsChannelSql}, $1)`,
    JSON.stringify(event),
  );
}
