import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { readCsvParts } from "../../src/results/csv-parts.ts";
import { ResultIngestError } from "../../src/results/types.ts";

// A downloaded part that announces a small Content-Length is read whole and parsed in one call;
// other parts stream through the parser. Both must read the same rows.

/** Returns a stream of `text` that announces its length, as a download response does. */
function download(text: string, chunkBytes = 7): Readable {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes)
    chunks.push(bytes.subarray(at, at + chunkBytes));
  return Object.assign(Readable.from(chunks), {
    headers: { "content-length": String(bytes.length) },
  });
}

async function readAll(parts: Iterable<Readable>): Promise<{ columns: string[]; rows: unknown[] }> {
  const columns: string[] = [];
  const rows: unknown[] = [];
  for await (const row of readCsvParts(parts, (name) => columns.push(name))) rows.push(row);
  return { columns, rows };
}

const csv = "\uFEFFcampaign,impressions\r\nBrand A,10\r\n\r\nBrand B,\n";

test("small and streamed parts read alike", async () => {
  const small = await readAll([download(csv)]);
  const streamed = await readAll([Readable.from([Buffer.from(csv, "utf8")])]);
  assert.deepEqual(small, {
    columns: ["campaign", "impressions"],
    rows: [
      ["Brand A", "10"],
      ["Brand B", null],
    ],
  });
  assert.deepEqual(streamed, small);
});

test("small part with bad CSV is an ingest error", async () => {
  await assert.rejects(readAll([download('campaign\n"unclosed\n')]), ResultIngestError);
});
