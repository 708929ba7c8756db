"use client";

import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { CompareQuery } from "@/api/documents.ts";
import { useRefresh } from "@/api/refresh.ts";
import type { UserError } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import { formatNumber, formatPercent } from "@/lib/format.ts";

interface PeriodValue {
  from: string;
  to: string;
  value: number | null;
  weekCount: number;
  weeksWithResult: number;
}

interface CompareData {
  collection: {
    id: string;
    compare: {
      comparison: {
        periodA: PeriodValue;
        periodB: PeriodValue;
        absoluteChange: number | null;
        percentChange: number | null;
      } | null;
      userErrors: UserError[];
    };
  } | null;
}

/** Props of ComparePanel. */
export interface ComparePanelProps {
  collectionId: string;
  metric: string;
  aggregate: string;
  /** Start dates of the collection's weeks, in order; periods are chosen from these. */
  weekStarts: string[];
  resultVersion: number;
}

/** Returns default periods: the first and the second half of the weeks. */
function halves(weekStarts: string[]) {
  const middle = Math.max(1, Math.floor(weekStarts.length / 2));
  return {
    aFrom: weekStarts[0] ?? "",
    aTo: weekStarts[middle - 1] ?? "",
    bFrom: weekStarts[middle] ?? weekStarts[0] ?? "",
    bTo: weekStarts.at(-1) ?? "",
  };
}

function WeekSelect(props: {
  id: string;
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.options.map((start) => (
          <option key={start} value={start}>
            week of {start}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Two ranges of weeks side by side with the absolute and percentage change from A to B. */
export function ComparePanel({
  collectionId,
  metric,
  aggregate,
  weekStarts,
  resultVersion,
}: ComparePanelProps) {
  const [periods, setPeriods] = useState(() => halves(weekStarts));
  const set = (key: keyof typeof periods) => (value: string) =>
    setPeriods((old) => ({ ...old, [key]: value }));
  const [{ data, error, fetching }, refetch] = useQuery<CompareData>({
    query: CompareQuery,
    variables: {
      id: collectionId,
      metric,
      aggregate,
      periodA: { from: periods.aFrom, to: periods.aTo },
      periodB: { from: periods.bFrom, to: periods.bTo },
    },
    pause: metric === "" || weekStarts.length < 2,
  });

  const refresh = useRefresh(fetching, refetch);
  useEffect(() => {
    if (resultVersion > 0 && metric !== "") refresh();
  }, [resultVersion]);

  if (weekStarts.length < 2) return <p className="muted">A comparison needs at least two weeks.</p>;
  const compare = data?.collection?.compare;
  const comparison = compare?.comparison;
  const message =
    describeError(error) ??
    (compare?.userErrors.map((userError) => userError.message).join(" ") || null);
  return (
    <div data-testid="compare-panel">
      <div className="filters">
        <WeekSelect
          id="compare-a-from"
          label="Period A from"
          value={periods.aFrom}
          options={weekStarts}
          onChange={set("aFrom")}
        />
        <WeekSelect
          id="compare-a-to"
          label="Period A to"
          value={periods.aTo}
          options={weekStarts}
          onChange={set("aTo")}
        />
        <WeekSelect
          id="compare-b-from"
          label="Period B from"
          value={periods.bFrom}
          options={weekStarts}
          onChange={set("bFrom")}
        />
        <WeekSelect
          id="compare-b-to"
          label="Period B to"
          value={periods.bTo}
          options={weekStarts}
          onChange={set("bTo")}
        />
      </div>
      {message && <p className="error-text">{message}</p>}
      {comparison && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Weeks</th>
                <th scope="col" className="number">
                  {aggregate.toLowerCase()} of {metric}
                </th>
              </tr>
            </thead>
            <tbody>
              {(["periodA", "periodB"] as const).map((key) => {
                const period = comparison[key];
                return (
                  <tr key={key}>
                    <th scope="row">
                      {key === "periodA" ? "A" : "B"}: {period.from} – {period.to}
                    </th>
                    <td>
                      {period.weeksWithResult} of {period.weekCount} with a result
                    </td>
                    <td className="number">{formatNumber(period.value)}</td>
                  </tr>
                );
              })}
              <tr>
                <th scope="row">Change from A to B</th>
                <td />
                <td className="number">
                  {formatNumber(comparison.absoluteChange)} (
                  {formatPercent(comparison.percentChange)})
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
