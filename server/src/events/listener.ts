import pg from "pg";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { listenStatement, readEventsChannel, type ChangeEvent } from "./notify.ts";

// Receives the change events that writers send with notifyChange. In embedded mode PGlite
// delivers them in process. On a PostgreSQL server a dedicated connection LISTENs, because a pool
// connection loses its LISTEN when released. It reconnects after a failure, so that every
// replica receives every committed change.

const RECONNECT_MIN_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5_000;

/** A running listener. */
export interface ChangeListener {
  /** True while events can arrive; false while a PostgreSQL connection is being re-established. */
  isListening(): boolean;
  stop(): Promise<void>;
}

/** Called for each event, and with null after a reconnect, when events may have been missed. */
export type ChangeHandler = (event: ChangeEvent | null) => void;

/** Starts listening for change events on the database's channel. */
export async function listenForChanges(
  database: Database,
  onChange: ChangeHandler,
  logger: Logger,
): Promise<ChangeListener> {
  const deliver = (payload: string) => {
    let event: ChangeEvent;
    try {
      event = JSON.parse(payload) as ChangeEvent;
    } catch (error) {
      logger.warn({ err: error, payload }, "ignored a change event that is not valid JSON");
      return;
    }
    onChange(event);
  };
  if (database.pglite) {
    const pglite = database.pglite;
    const channel = await readEventsChannel((sql) => pglite.query(sql));
    const unlisten = await pglite.listen(channel, deliver);
    return { isListening: () => true, stop: () => unlisten() };
  }
  if (!database.connection) {
    throw new Error(
      `Cannot listen for change events on ${database.description}: the database has no connection settings. Open it with openDatabase.`,
    );
  }
  return listenOnPostgres(database.connection, deliver, onChange, logger);
}

async function listenOnPostgres(
  connection: { url: string; schema?: string },
  deliver: (payload: string) => void,
  onChange: ChangeHandler,
  logger: Logger,
): Promise<ChangeListener> {
  let client: pg.Client | undefined;
  let listening = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    // It uses the pool's search_path, so that the channel name matches the writers'.
    const next = new pg.Client({
      connectionString: connection.url,
      ...(connection.schema ? { options: `-c search_path="${connection.schema}"` } : {}),
    });
    let channel: string | undefined;
    next.on("notification", (message) => {
      if (message.channel === channel && message.payload) deliver(message.payload);
    });
    next.on("error", (error) => scheduleReconnect(next, error));
    next.on("end", () => scheduleReconnect(next, new Error("connection ended")));
    client = next;
    await next.connect();
    channel = await readEventsChannel((sql) => next.query(sql));
    await next.query(listenStatement(channel));
    listening = true;
  };

  const scheduleReconnect = (failed: pg.Client, error: Error): void => {
    if (stopped || failed !== client || retryTimer) return;
    listening = false;
    failed.end().catch(() => {});
    const delayMs = Math.min(RECONNECT_MIN_DELAY_MS * 2 ** failures, RECONNECT_MAX_DELAY_MS);
    failures += 1;
    logger.warn(
      { err: error, delayMs, attempt: failures },
      "change event listener lost its connection; reconnecting",
    );
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        () => {
          logger.info({ attempt: failures }, "change event listener reconnected");
          failures = 0;
          // Events sent while the connection was down are lost, so the bus republishes every
          // subscribed row.
          onChange(null);
        },
        (connectError: unknown) => scheduleReconnect(client!, connectError as Error),
      );
    }, delayMs);
    retryTimer.unref();
  };

  await connect();
  return {
    isListening: () => listening,
    stop: async () => {
      stopped = true;
      listening = false;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
