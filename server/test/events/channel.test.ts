import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import pg from "pg";
import { eventsChannelSql, listenStatement, readEventsChannel } from "../../src/events/notify.ts";
import { testPostgresUrl } from "../support/database.ts";

// The change-event channel is named after the schema, within PostgreSQL's 63-byte limit on
// channel names, and writers and listeners on one schema agree on it.

/** Opens a client whose search_path is `schema`, creating the schema. */
async function connect(schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: testPostgresUrl,
    options: `-c search_path="${schema}"`,
  });
  await client.connect();
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  return client;
}

describe("change-event channel", () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const clients: pg.Client[] = [];
  const schemas: string[] = [];

  after(async () => {
    for (const schema of schemas) await clients[0]?.query(`DROP SCHEMA IF EXISTS "${schema}"`);
    for (const client of clients) await client.end();
  });

  /** Returns the channel of `schema` and the payload of a notification sent on it. */
  async function roundTrip(schema: string): Promise<{ channel: string; received: string }> {
    schemas.push(schema);
    const listener = await connect(schema);
    const writer = await connect(schema);
    clients.push(listener, writer);
    const channel = await readEventsChannel((sql) => listener.query(sql));
    const received = new Promise<string>((resolve) =>
      listener.on("notification", (message) => resolve(message.payload ?? "")),
    );
    await listener.query(listenStatement(channel));
    await writer.query(`SELECT pg_notify(${eventsChannelSql}, $1)`, [`hello ${schema}`]);
    return { channel, received: await received };
  }

  test("short schema keeps its name", async () => {
    const schema = `events_${suffix}`;
    const { channel, received } = await roundTrip(schema);
    assert.equal(channel, `amc_collections_events_${schema}`);
    assert.equal(received, `hello ${schema}`);
  });

  test("long multibyte schema stays in 63 bytes", async () => {
    // 46 bytes in 26 characters: a valid schema name (at most 63 bytes), but with the 23-byte
    // prefix the channel name would take 69.
    const schema = `é${suffix}${"é".repeat(19)}`;
    assert.ok(Buffer.byteLength(schema) <= 63);
    const { channel, received } = await roundTrip(schema);
    assert.ok(Buffer.byteLength(channel) <= 63, `channel "${channel}" is over 63 bytes`);
    assert.match(channel, /^amc_collections_events_[0-9a-f]{32}$/);
    assert.equal(received, `hello ${schema}`);
  });
});
