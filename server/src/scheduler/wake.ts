import pg from "pg";
import type { Database } from "../db/database.ts";
import { listenStatement, readEventsChannel, type ChangeEvent } from "../events/notify.ts";
import type { Logger } from "../logger.ts";

// Waking the claim loop. Every week and collection status change sends a change event with
// pg_notify, within the process on PGlite and across replicas on PostgreSQL. So a week finished
// or a collection resumed anywhere lets every replica claim at once instead of at its next tick.
// Events about weeks becoming RUNNING free no slot and are ignored.

/** A subscription to change events; `close` ends it. */
export interface WakeSource {
  close(): Promise<void>;
}

function wakes(payload: string | undefined): boolean {
  if (!payload) return true;
  try {
    const event = JSON.parse(payload) as ChangeEvent;
    return !(event.type === "week" && event.status === "RUNNING");
  } catch {
    return true;
  }
}

/**
 * Calls `wake` on change events that may make weeks claimable. On PostgreSQL it keeps one
 * LISTEN connection and reconnects after a delay when the connection drops.
 */
export async function listenForWake(
  database: Database,
  logger: Logger,
  wake: () => void,
  reconnectDelayMs = 1000,
): Promise<WakeSource> {
  if (database.pglite) {
    const pglite = database.pglite;
    const channel = await readEventsChannel((sql) => pglite.query(sql));
    const unsubscribe = await pglite.listen(channel, (payload) => {
      if (wakes(payload)) wake();
    });
    return { close: () => unsubscribe() };
  }
  if (!database.connection) return { close: async () => {} };
  const { url, schema } = database.connection;
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: url,
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    });
    next.on("notification", (message) => {
      if (wakes(message.payload)) wake();
    });
    next.on("error", (error) => {
      logger.warn({ err: error }, "scheduler LISTEN connection failed; reconnecting");
      void next.end().catch(() => {});
      if (!closed && client === next) scheduleReconnect();
    });
    try {
      await next.connect();
      await next.query(listenStatement(await readEventsChannel((sql) => next.query(sql))));
      client = next;
      // Events sent while the connection was down are lost, so claim once now.
      wake();
    } catch (error) {
      logger.warn({ err: error }, "scheduler LISTEN connection failed to open; retrying");
      await next.end().catch(() => {});
      scheduleReconnect();
    }
  };
  const scheduleReconnect = () => {
    if (closed) return;
    client = undefined;
    timer = setTimeout(() => void connect(), reconnectDelayMs);
    timer.unref();
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
