import { GraphQLError } from "graphql";
import { builder } from "../builder.ts";
import { ErrorCode } from "../authorize.ts";
import {
  defaultPageSize,
  maxPageSize,
  readResultPage,
  type ResultPage,
} from "../../results/rows.ts";
import { ResultQueryError, type ResultColumn } from "../../results/types.ts";
import type { TypedValue } from "../../results/values.ts";
import { ResultColumnTypeEnum } from "./trend.ts";
import { WeekRef } from "./week.ts";

// Week.result: the raw rows of a week's current result, paged by row number. Values come
// typed by column (numbers, booleans, text), in the order of `columns`.

const WeekResultColumnRef = builder.objectRef<ResultColumn>("WeekResultColumn").implement({
  description: "A column of one week's result.",
  fields: (t) => ({
    name: t.exposeString("name"),
    type: t.field({ type: ResultColumnTypeEnum, resolve: (column) => column.type }),
  }),
});

const ResultRowRef = builder
  .objectRef<{ rowNumber: number; values: TypedValue[] }>("ResultRow")
  .implement({
    description: "One row of a result.",
    fields: (t) => ({
      rowNumber: t.exposeInt("rowNumber", { description: "Position in the result, from 1." }),
      values: t.field({
        type: ["JSON"],
        nullable: { list: false, items: true },
        description: "Values in the order of the result's columns; null for an empty field.",
        resolve: (row) => row.values,
      }),
    }),
  });

const ResultPageRef = builder.objectRef<ResultPage>("ResultPage").implement({
  description: "A page of a week's current result.",
  fields: (t) => ({
    columns: t.field({ type: [WeekResultColumnRef], resolve: (page) => page.columns }),
    totalCount: t.exposeInt("totalCount", { description: "Rows in the whole result." }),
    rowsPurged: t.exposeBoolean("rowsPurged", {
      description: "True when retention deleted the raw rows; trends still use the summary.",
    }),
    rows: t.field({ type: [ResultRowRef], resolve: (page) => page.rows }),
    hasNextPage: t.exposeBoolean("hasNextPage"),
    endCursor: t.string({
      nullable: true,
      description: "Cursor of the last row; pass it as `after` for the next page.",
      resolve: (page) => (page.endCursor === null ? null : String(page.endCursor)),
    }),
  }),
});

function parseCursor(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  if (!/^\d+$/.test(after)) {
    throw new GraphQLError(`Invalid cursor "${after}": pass the endCursor of a previous page.`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  return Number(after);
}

builder.objectField(WeekRef, "result", (t) =>
  t.field({
    type: ResultPageRef,
    nullable: true,
    description: "Rows of the week's current result, paged; null until the week has a result.",
    args: {
      first: t.arg.int({
        defaultValue: defaultPageSize,
        description: `Rows per page, at most ${maxPageSize}.`,
      }),
      after: t.arg.string({ description: "endCursor of the previous page." }),
    },
    resolve: async (week, args, context) => {
      try {
        const page = await readResultPage(context.prisma, week.id, {
          first: args.first,
          after: parseCursor(args.after),
        });
        return page.resultSetId ? page : null;
      } catch (error) {
        if (!(error instanceof ResultQueryError)) throw error;
        throw new GraphQLError(error.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
    },
  }),
);
