import type { ResultColumn } from "@/api/types.ts";

/** First rows of a week's result. */
export interface ResultPreviewData {
  columns: ResultColumn[];
  rows: { rowNumber: number; values: unknown[] }[];
  totalCount: number;
  /** True when retention deleted the raw rows; the summary remains. */
  rowsPurged: boolean;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Table of the first rows of a result, with column types in the header. */
export function ResultPreview({ result }: { result: ResultPreviewData }) {
  if (result.rowsPurged)
    return <p className="muted">Retention deleted the raw rows of this result.</p>;
  if (result.columns.length === 0) return <p className="muted">The result has no columns.</p>;
  return (
    <>
      <p className="muted">
        Showing {result.rows.length} of {result.totalCount} rows.
      </p>
      <div className="table-wrap">
        <table data-testid="result-preview">
          <thead>
            <tr>
              {result.columns.map((column) => (
                <th key={column.name} scope="col">
                  {column.name} <span className="muted">({column.type})</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row) => (
              <tr key={row.rowNumber}>
                {result.columns.map((column, columnIndex) => (
                  <td key={column.name}>{cellText(row.values[columnIndex])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
