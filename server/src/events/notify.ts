// Change events for GraphQL subscriptions. Writers send them with pg_notify inside the
// transaction that makes the change, so PostgreSQL delivers them only after that transaction
// commits and drops them on rollback. Every server process LISTENs on the channel (PGlite in
// process, PostgreSQL across replicas) and fans the events out to its subscribers, which load
// the entity by id and drop events whose version is older than what they already sent.

/** LISTEN/NOTIFY channel of change events. */
export const eventsChannel = "amc_collections_events";

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
    "SELECT pg_notify($1, $2)",
    eventsChannel,
    JSON.stringify(event),
  );
}
