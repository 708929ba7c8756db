// Deterministic synthetic AMC results, generated on the fly so that a million-row result
// never exists in memory as a whole.

/** Header of the generated results. */
export const generatedHeader = "campaign,ad_type,impressions,clicks,spend,day,filtered";

const adTypes = ["display", "video", "sponsored"];

/** Returns row `i` of the generated result as a CSV line without its newline. */
export function generatedRow(i: number): string {
  const campaign = `C${String(i % 20).padStart(2, "0")}`;
  const impressions = (i * 7919) % 1000;
  const clicks = (i * 104729) % 50;
  const spend = (((i * 31) % 10_000) / 100).toFixed(2);
  const day = `2024-01-0${1 + (i % 7)}`;
  return `${campaign},${adTypes[i % 3]},${impressions},${clicks},${spend},${day},${i % 11 === 0}`;
}

/** Streams rows [first, first + count) as one CSV part with its header line. */
export async function* generateCsvPart(
  first: number,
  count: number,
  rowsPerChunk = 2000,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode(`${generatedHeader}\n`);
  for (let start = first; start < first + count; start += rowsPerChunk) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + rowsPerChunk, first + count); i++) {
      lines.push(generatedRow(i));
    }
    yield encoder.encode(`${lines.join("\n")}\n`);
  }
}

/** Splits `rowCount` generated rows into `partCount` parts, as AMC splits large results. */
export function generateCsvParts(rowCount: number, partCount: number): AsyncIterable<Uint8Array>[] {
  const perPart = Math.ceil(rowCount / partCount);
  const parts: AsyncIterable<Uint8Array>[] = [];
  for (let first = 0; first < rowCount; first += perPart) {
    parts.push(generateCsvPart(first, Math.min(perPart, rowCount - first)));
  }
  return parts;
}
