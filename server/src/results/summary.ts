import { ColumnTypeTracker } from "./infer.ts";
import {
  isNumericType,
  type MetricAggregate,
  type ResultColumn,
  type ResultSummary,
} from "./types.ts";

// Streaming summary of a result: column types, overall aggregates of every numeric column,
// and aggregates per value of every low-cardinality column. Memory is bounded by
// columns x maxDimensionValues x columns, whatever the row count. Which columns are numeric
// is only known at the end, so every column is tracked as a possible metric until a value
// demotes it, and as a possible dimension until it passes maxDimensionValues distinct values.

/** Default number of distinct values up to which a column keeps per-value aggregates. */
export const defaultMaxDimensionValues = 100;

class Accumulator {
  sum = 0;
  min = Infinity;
  max = -Infinity;
  count = 0;

  add(value: number): void {
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.count++;
  }

  toAggregate(): MetricAggregate {
    if (this.count === 0) return { sum: null, min: null, max: null, count: 0 };
    return { sum: this.sum, min: this.min, max: this.max, count: this.count };
  }
}

/** Aggregates of one column per value of a dimension column; null once it has too many values. */
type DimensionState = Map<string, Accumulator[]> | null;

/** One WeekMetric row before it gets its ids. */
export interface MetricRow {
  metric: string;
  dimension: string;
  dimensionValue: string;
  aggregate: MetricAggregate;
}

/** Builds the summary and WeekMetric rows of one result from its rows, one row at a time. */
export class SummaryBuilder {
  private readonly names: string[] = [];
  private readonly trackers: ColumnTypeTracker[] = [];
  private readonly overall: Accumulator[] = [];
  private readonly dimensions: DimensionState[] = [];
  private readonly numbers: number[] = [];
  rowCount = 0;

  constructor(private readonly maxDimensionValues = defaultMaxDimensionValues) {}

  /** Registers the next column; rows list values in the order columns were added. */
  addColumn(name: string): void {
    this.names.push(name);
    this.trackers.push(new ColumnTypeTracker());
    this.overall.push(new Accumulator());
    this.dimensions.push(new Map());
  }

  /** Adds one row; null is an empty CSV field, and missing trailing values count as empty. */
  addRow(values: readonly (string | null)[]): void {
    this.rowCount++;
    const numbers = this.readNumbers(values);
    for (let d = 0; d < this.dimensions.length; d++) {
      const state = this.dimensions[d];
      if (state) this.addToDimension(d, state, values[d] ?? "", numbers);
    }
  }

  /** Narrows column types and returns each column's number, or NaN when it has none. */
  private readNumbers(values: readonly (string | null)[]): number[] {
    const numbers = this.numbers;
    for (let c = 0; c < this.trackers.length; c++) {
      const value = values[c];
      const tracker = this.trackers[c]!;
      numbers[c] = NaN;
      if (value === null || value === undefined || value === "") continue;
      if (!tracker.observe(value)) continue;
      const number = Number(value);
      numbers[c] = number;
      this.overall[c]!.add(number);
    }
    return numbers;
  }

  private addToDimension(
    d: number,
    state: Map<string, Accumulator[]>,
    key: string,
    numbers: number[],
  ): void {
    let accumulators = state.get(key);
    if (!accumulators) {
      if (state.size >= this.maxDimensionValues) {
        this.dimensions[d] = null;
        return;
      }
      accumulators = [];
      state.set(key, accumulators);
    }
    for (let m = 0; m < numbers.length; m++) {
      const number = numbers[m]!;
      if (Number.isNaN(number) || m === d) continue;
      (accumulators[m] ??= new Accumulator()).add(number);
    }
  }

  /** Returns the columns with their final types. */
  columns(): ResultColumn[] {
    return this.names.map((name, c) => ({
      name,
      type: this.trackers[c]!.type,
      valueCount: this.trackers[c]!.valueCount,
    }));
  }

  /** Returns the week summary and the WeekMetric rows, from the final column types. */
  finish(): { summary: ResultSummary; metricRows: MetricRow[] } {
    const columns = this.columns();
    const numeric = columns.map((column) => isNumericType(column.type));
    const summary: ResultSummary = {
      rowCount: this.rowCount,
      columns,
      metrics: {},
      dimensions: [],
    };
    const metricRows: MetricRow[] = [];
    columns.forEach((column, c) => {
      if (!numeric[c]) return;
      const aggregate = this.overall[c]!.toAggregate();
      summary.metrics[column.name] = aggregate;
      metricRows.push({ metric: column.name, dimension: "", dimensionValue: "", aggregate });
    });
    columns.forEach((column, d) => {
      if (numeric[d]) return;
      const state = this.dimensions[d];
      if (!state) return;
      const rows = this.dimensionRows(column.name, state, numeric);
      if (rows.length === 0) return;
      const distinctValues = new Set(rows.map((row) => row.dimensionValue)).size;
      summary.dimensions.push({ name: column.name, distinctValues });
      metricRows.push(...rows);
    });
    summary.dimensions.sort((a, b) => (a.name < b.name ? -1 : 1));
    return { summary, metricRows };
  }

  private dimensionRows(
    dimension: string,
    state: Map<string, Accumulator[]>,
    numeric: boolean[],
  ): MetricRow[] {
    const rows: MetricRow[] = [];
    for (const [dimensionValue, accumulators] of state) {
      accumulators.forEach((accumulator, m) => {
        if (!numeric[m]) return;
        const metric = this.names[m]!;
        rows.push({ metric, dimension, dimensionValue, aggregate: accumulator.toAggregate() });
      });
    }
    return rows;
  }
}
