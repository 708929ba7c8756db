import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";
import { GraphQLError, Kind } from "graphql";
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

function parseDay(value: unknown): string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new GraphQLError(`Date cannot represent ${JSON.stringify(value)}: expected YYYY-MM-DD.`);
  }
  // graphql-scalars checks that the day exists (no 2025-02-30) and returns UTC midnight.
  return serializeDay(DateResolver.parseValue(value));
}

builder.scalarType("Date", {
  description:
    "A calendar day without a time zone, written YYYY-MM-DD (ISO 8601), e.g. 2025-01-06.",
  serialize: serializeDay,
  parseValue: parseDay,
  parseLiteral: (ast) => parseDay(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.addScalarType("DateTime", DateTimeResolver, {
  description: "An instant in ISO 8601 format at UTC, e.g. 2025-01-06T09:30:00.000Z.",
});

builder.addScalarType("JSON", JSONResolver, {
  description: "Any JSON value: an object, array, string, number, boolean or null.",
});
