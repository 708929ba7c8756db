import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { parse } from "csv-parse";
import { ResultIngestError } from "./types.ts";

/** One CSV file of a result: a Node.js stream (AMC client downloads), a web stream or any byte iterable. */
export type CsvPart = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

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
    // Both line endings are accepted in every part, because a parser that guesses the ending
    // from the first line would keep the "\r" of later CRLF lines.
    const parser = toNodeStream(part).pipe(
      parse({ bom: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n"] }),
    );
    let positions: number[] | undefined;
    let inOrder = false;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
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
