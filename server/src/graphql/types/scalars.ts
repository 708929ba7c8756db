import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";
import { GraphQLError, Kind, print, type ValueNode } from "graphql";
import { ErrorCode } from "../authorize.ts";
import { builder } from "../builder.ts";

// Date is a calendar day without a time zone, read and written as "YYYY-MM-DD". Prisma returns
// `@db.Date` columns as Dates at UTC midnight, so the day is taken in UTC and never shifts with
// the server's time zone.

function serializeDay(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  throw new GraphQLError(`Date cannot represent ${JSON.stringify(value)}: expected YYYY-MM-DD.`);
}

/** Returns the BAD_USER_INPUT error for an invalid Date input, shown as `shownValue`. */
function invalidDay(shownValue: string, reason: string, node?: ValueNode): GraphQLError {
  return new GraphQLError(
    `Invalid Date ${shownValue}: ${reason}. Expected a calendar day written YYYY-MM-DD, e.g. 2025-01-06.`,
    { nodes: node, extensions: { code: ErrorCode.BAD_USER_INPUT } },
  );
}

/** Parses a Date input. `node` is the literal in the operation, if the input was one. */
function parseDay(value: unknown, node?: ValueNode): string {
  const shownValue = node ? print(node) : JSON.stringify(value);
  if (typeof value !== "string") throw invalidDay(shownValue, "not a string", node);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalidDay(shownValue, "wrong format", node);
  let day: Date;
  try {
    // graphql-scalars checks that the day exists (no 2025-02-30) and returns UTC midnight.
    day = DateResolver.parseValue(value);
  } catch {
    throw invalidDay(shownValue, "no such day in the calendar", node);
  }
  return serializeDay(day);
}

builder.scalarType("Date", {
  description:
    "A calendar day without a time zone, written YYYY-MM-DD (ISO 8601), e.g. 2025-01-06.",
  serialize: serializeDay,
  parseValue: parseDay,
  parseLiteral: (ast) => parseDay(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});

builder.addScalarType("DateTime", DateTimeResolver, {
  description: "An instant in ISO 8601 format at UTC, e.g. 2025-01-06T09:30:00.000Z.",
});

builder.addScalarType("JSON", JSONResolver, {
  description: "Any JSON value: an object, array, string, number, boolean or null.",
});
