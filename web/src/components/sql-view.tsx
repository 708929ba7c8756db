import { tokenizeSql } from "@/lib/sql-highlight.ts";

/** SQL text with syntax colours; the text itself stays selectable and copyable. */
export function SqlView({ sql, label }: { sql: string; label: string }) {
  const tokens = tokenizeSql(sql);
  return (
    <pre className="sql" aria-label={label} tabIndex={0}>
      <code>
        {tokens.map((token, index) =>
          token.kind === "plain" ? (
            token.text
          ) : (
            <span key={index} className={`sql-${token.kind}`}>
              {token.text}
            </span>
          ),
        )}
      </code>
    </pre>
  );
}
