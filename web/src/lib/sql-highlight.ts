// A small SQL tokenizer for display only: it splits text into comments, strings, numbers,
// keywords, function names and template placeholders, and keeps every character, so joining
// the tokens' text gives back the input exactly. It does not parse or validate SQL.

/** Kind of a highlighted token; "plain" covers identifiers, operators and whitespace. */
export type SqlTokenKind =
  "keyword" | "function" | "string" | "number" | "comment" | "placeholder" | "plain";

/** A run of text with one kind. */
export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
}

const keywords = new Set(
  (
    "select from where group by order having limit join inner left right full outer cross on as " +
    "and or not in is null like ilike between case when then else end distinct union all with " +
    "over partition rows range preceding following unbounded current row interval cast true " +
    "false asc desc exists any some except intersect using filter within date timestamp"
  ).split(" "),
);

// Order matters: comments and strings first, so keywords inside them stay part of them.
const tokenPattern =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\{\{\s*[\w.]+\s*\}\})|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][\w$]*)(\s*\()?/gi;

/** Splits SQL text into highlight tokens. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let position = 0;
  const pushPlain = (end: number) => {
    if (end > position) tokens.push({ kind: "plain", text: sql.slice(position, end) });
  };

  for (const match of sql.matchAll(tokenPattern)) {
    const index = match.index;
    pushPlain(index);
    const [text, comment, string, quotedName, placeholder, number, word, call] = match;
    if (comment) tokens.push({ kind: "comment", text });
    else if (string) tokens.push({ kind: "string", text });
    else if (quotedName) tokens.push({ kind: "plain", text });
    else if (placeholder) tokens.push({ kind: "placeholder", text });
    else if (number) tokens.push({ kind: "number", text });
    else if (word !== undefined) {
      const isKeyword = keywords.has(word.toLowerCase());
      let kind: SqlTokenKind = "plain";
      if (isKeyword) kind = "keyword";
      else if (call) kind = "function";
      tokens.push({ kind, text: word });
      if (call) tokens.push({ kind: "plain", text: call });
    }
    position = index + text.length;
  }
  pushPlain(sql.length);
  return tokens;
}
