import { GraphQLError } from "graphql";
import {
  assertTimeZone,
  dataReadyAt,
  InvalidDateError,
  parseDay,
  planWeeks,
  type PlannedWeek,
} from "../../domain/weeks.ts";
import { builder } from "../builder.ts";
import { ErrorCode } from "../authorize.ts";

// The weeks a collection would get, for the preview on the new-collection form. It plans the
// weeks with the same function as createCollection and stores nothing.

const DAY_MS = 86_400_000;

type PreviewWeek = PlannedWeek & { timezone: string };

const PlannedWeekRef = builder.objectRef<PreviewWeek>("PlannedWeek").implement({
  description: "A week that a collection over the given range would have.",
  fields: (t) => ({
    startDate: t.exposeString("startDate", { description: "First day, inclusive (YYYY-MM-DD)." }),
    endDate: t.exposeString("endDate", { description: "Last day, inclusive (YYYY-MM-DD)." }),
    isoWeek: t.exposeString("isoWeek", { description: "ISO 8601 week label, e.g. 2025-W01." }),
    partial: t.exposeBoolean("partial", {
      description: "True when the range cuts the week to fewer than seven days.",
    }),
    dataReadyAt: t.field({
      type: "DateTime",
      description:
        "When AMC's data for the week is complete (48 hours after the week ends in the time zone); the week does not run before.",
      resolve: (week) => dataReadyAt(week.endDate, week.timezone),
    }),
  }),
});

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
  });
}

builder.queryField("previewWeeks", (t) =>
  t.field({
    type: [PlannedWeekRef],
    description:
      "Returns the Monday-to-Sunday weeks that createCollection would plan for a range, without storing anything.",
    args: {
      startDate: t.arg({ type: "Date", required: true, description: "First day, inclusive." }),
      endDate: t.arg({ type: "Date", required: true, description: "Last day, inclusive." }),
      timezone: t.arg.string({
        required: false,
        defaultValue: "UTC",
        description: "IANA time zone of the AMC time windows.",
      }),
      expandToWholeWeeks: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: "Widen the range to whole Monday-to-Sunday weeks.",
      }),
    },
    resolve: (_root, args, context) => {
      const timezone = args.timezone ?? "UTC";
      try {
        assertTimeZone(timezone);
      } catch (error) {
        throw badInput((error as Error).message, "timezone");
      }
      const spanDays =
        (parseDay(args.endDate).getTime() - parseDay(args.startDate).getTime()) / DAY_MS;
      // Two partial weeks can frame the full ones, hence the + 2.
      const maxWeeks = context.maxWeeksPerCollection;
      if (spanDays / 7 > maxWeeks + 2) {
        throw badInput(
          `The range ${args.startDate} to ${args.endDate} spans more than ${maxWeeks} weeks, the most a collection may have: shorten it.`,
          "endDate",
        );
      }
      try {
        const weeks = planWeeks({
          startDate: args.startDate,
          endDate: args.endDate,
          expandToWholeWeeks: args.expandToWholeWeeks ?? false,
        });
        return weeks.map((week) => ({ ...week, timezone }));
      } catch (error) {
        if (error instanceof InvalidDateError) throw badInput(error.message, "endDate");
        throw error;
      }
    },
  }),
);
