import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { IncomingMessage } from "node:http";
import { parse } from "csv-parse";
import { parse as parseWhole } from "csv-parse/sync";
import { ResultIngestError } from "./types.ts";

/** One CSV file of a result: a Node.js stream (AMC client downloads), a web stream or any byte iterable. */
export type CsvPart = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Parts up to this size, by their Content-Length, are read whole and parsed in one call. A
 * week's result is often a few rows, and a parser stream per part cost about 4% of the
 * scheduler's CPU time in its benchmark.
 */
const wholePartMaxBytes = 256 * 1024;

/** Returns the byte length that a downloaded part announces, if any. */
function announcedLength(part: CsvPart): number | undefined {
  const header = (part as Partial<IncomingMessage>).headers?.["content-length"];
  const length = Number(header);
  return header !== undefined && Number.isInteger(length) ? length : undefined;
}

/** Reads a stream to its end; rejects when it fails or its connection closes early. */
function readWhole(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
    stream.once("aborted", () => reject(new Error("The download's connection closed early.")));
  });
}

/**
 * Options of both parsers. Both line endings are accepted in every part, because a parser that
 * guesses the ending from the first line would keep the "\r" of later CRLF lines.
 */
const parseOptions = { bom: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n"] };

/** Reads a part whole when its announced length is small; returns undefined otherwise. */
async function smallPartBody(part: CsvPart): Promise<Buffer | undefined> {
  const length = announcedLength(part);
  if (!(part instanceof Readable) || length === undefined || length > wholePartMaxBytes) {
    return undefined;
  }
  return readWhole(part);
}

function toNodeStream(part: CsvPart): Readable {
  if (part instanceof Readable) return part;
  if (Symbol.asyncIterator in part && !(part instanceof ReadableStream)) return Readable.from(part);
  return Readable.fromWeb(part as WebReadableStream<Uint8Array>);
}

/**
 * Streams the rows of every part in the order of a combined header. Each part starts with
 * its own header line. A column first seen in a later part is reported through `onColumn`,
 * and earlier rows lack it. Empty fields become null.
 */
export async function* readCsvParts(
  parts: AsyncIterable<CsvPart> | Iterable<CsvPart>,
  onColumn: (name: string) => void,
): AsyncGenerator<(string | null)[]> {
  const columnIndex = new Map<string, number>();
  let partNumber = 0;
  for await (const part of parts) {
    partNumber++;
    // A failed download surfaces here as it is, not as a CSV error.
    const body = await smallPartBody(part);
    let positions: number[] | undefined;
    let inOrder = false;
    try {
      const records: AsyncIterable<string[]> | string[][] = body
        ? (parseWhole(body, parseOptions) as string[][])
        : toNodeStream(part).pipe(parse(parseOptions));
      for await (const record of records) {
        if (!positions) {
          positions = mapHeader(record, columnIndex, onColumn, partNumber);
          inOrder = positions.every((position, i) => position === i);
          continue;
        }
        yield inOrder ? emptyToNull(record) : placeValues(record, positions);
      }
    } catch (error) {
      if (error instanceof ResultIngestError) throw error;
      throw new ResultIngestError(
        `Part ${partNumber} of the result is not valid CSV: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

function mapHeader(
  header: string[],
  columnIndex: Map<string, number>,
  onColumn: (name: string) => void,
  partNumber: number,
): number[] {
  const seen = new Set<string>();
  return header.map((name) => {
    if (seen.has(name)) {
      throw new ResultIngestError(
        `Part ${partNumber} of the result repeats the column "${name}" in its header; ` +
          "give each output column of the workflow's SQL a distinct alias.",
      );
    }
    seen.add(name);
    let index = columnIndex.get(name);
    if (index === undefined) {
      index = columnIndex.size;
      columnIndex.set(name, index);
      onColumn(name);
    }
    return index;
  });
}

function emptyToNull(record: string[]): (string | null)[] {
  const values: (string | null)[] = record;
  for (let i = 0; i < values.length; i++) if (values[i] === "") values[i] = null;
  return values;
}

/** Reorders a part's values into the combined column order; absent columns become null. */
function placeValues(record: string[], positions: number[]): (string | null)[] {
  const values: (string | null)[] = new Array<string | null>(Math.max(...positions) + 1).fill(null);
  for (let i = 0; i < record.length; i++) {
    const value = record[i]!;
    values[positions[i]!] = value === "" ? null : value;
  }
  return values;
}
