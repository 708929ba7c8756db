import { once } from "node:events";
import { finished } from "node:stream/promises";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Database } from "../db/database.ts";

// Writers that append ResultRow rows in batches so that memory stays flat while a result
// streams in. PostgreSQL gets one COPY stream that respects back-pressure; PGlite has no
// COPY from a client stream, so it gets multi-row INSERTs of one JSON parameter per batch.
// Rows are committed as they go: a crash leaves an incomplete ResultSet (completedAt null),
// which the next ingest of the same execution deletes.

/** Appends the rows of one result set. */
export interface RowWriter {
  /** Adds a row; resolves once the writer can take more. */
  add(values: readonly (string | null)[]): Promise<void>;
  /** Flushes the remaining rows. */
  finish(): Promise<void>;
  /** Stops writing after a failure and frees the connection. */
  abort(error: Error): Promise<void>;
}

/** Rows per INSERT on PGlite, and bytes buffered before a COPY write on PostgreSQL. */
const insertBatchRows = 2000;
const copyChunkBytes = 256 * 1024;

/** Opens the writer that suits the database. */
export async function openRowWriter(database: Database, resultSetId: string): Promise<RowWriter> {
  if (database.pool) return openCopyWriter(database.pool, resultSetId);
  if (database.pglite) return new InsertWriter(database.pglite, resultSetId);
  throw new Error(`Database ${database.description} has neither a pool nor a PGlite handle.`);
}

/** Escapes a value for COPY's text format; JSON text has no raw tabs or newlines to escape. */
function escapeCopyText(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

async function openCopyWriter(pool: pg.Pool, resultSetId: string): Promise<RowWriter> {
  const client = await pool.connect();
  const stream = client.query(
    copyFrom(`COPY "ResultRow" ("resultSetId", "rowNumber", "values") FROM STDIN`),
  );
  let failure: Error | undefined;
  stream.on("error", (error: Error) => (failure ??= error));
  let buffer = "";
  let rowNumber = 0;

  const flush = async () => {
    if (failure) throw failure;
    const chunk = buffer;
    buffer = "";
    if (!stream.write(chunk)) await once(stream, "drain");
  };

  return {
    add: async (values) => {
      rowNumber++;
      buffer += `${resultSetId}\t${rowNumber}\t${escapeCopyText(JSON.stringify(values))}\n`;
      if (buffer.length >= copyChunkBytes) await flush();
    },
    finish: async () => {
      try {
        if (buffer.length > 0) await flush();
        stream.end();
        await finished(stream);
        client.release();
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    },
    abort: async (error) => {
      stream.destroy(error);
      await finished(stream).catch(() => {});
      client.release(error);
    },
  };
}

class InsertWriter implements RowWriter {
  private batch: (readonly (string | null)[])[] = [];
  private written = 0;

  constructor(
    private readonly db: PGlite,
    private readonly resultSetId: string,
  ) {}

  async add(values: readonly (string | null)[]): Promise<void> {
    this.batch.push(values);
    if (this.batch.length >= insertBatchRows) await this.flush();
  }

  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.flush();
  }

  async abort(): Promise<void> {
    this.batch = [];
  }

  private async flush(): Promise<void> {
    const rows = JSON.stringify(this.batch);
    const firstRowNumber = this.written + 1;
    this.written += this.batch.length;
    this.batch = [];
    await this.db.query(
      `INSERT INTO "ResultRow" ("resultSetId", "rowNumber", "values")
       SELECT $1::uuid, $2::int + (t.n - 1)::int, t.v
       FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS t(v, n)`,
      [this.resultSetId, firstRowNumber, rows],
    );
  }
}
