import type { ColumnType } from "./types.ts";

// Column type inference. Every column starts as a candidate for each type and loses a
// candidate at the first value that does not fit it, so one pass over a streamed result
// decides the types without keeping the values. Numbers with leading zeros (ZIP codes,
// padded ids) are strings, because reading them as numbers would change how they print.

const integerPattern = /^[+-]?(0|[1-9]\d*)$/;
const decimalPattern = /^[+-]?(0|[1-9]\d*)?(\.\d+)?([eE][+-]?\d+)?$/;
const booleanPattern = /^(true|false)$/i;
const datePattern =
  /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** Returns true when a CSV value parses as a finite number that prints back the same way. */
export function isNumericText(value: string): boolean {
  return decimalPattern.test(value) && /\d/.test(value) && Number.isFinite(Number(value));
}

/** Type candidates of one column, narrowed value by value. */
export class ColumnTypeTracker {
  private integer = true;
  private decimal = true;
  private boolean = true;
  private date = true;
  /** Number of non-empty values seen. */
  valueCount = 0;

  /** Narrows the candidates with one non-empty value; returns false once it is not numeric. */
  observe(value: string): boolean {
    this.valueCount++;
    if (this.decimal && !isNumericText(value)) this.decimal = false;
    if (this.integer && !(this.decimal && integerPattern.test(value))) this.integer = false;
    if (this.boolean && !booleanPattern.test(value)) this.boolean = false;
    if (this.date && !datePattern.test(value)) this.date = false;
    return this.decimal;
  }

  /** Returns true while every value seen is a number. */
  get isNumeric(): boolean {
    return this.decimal;
  }

  /** Returns the narrowest type that fits every value; a column without values is a string. */
  get type(): ColumnType {
    if (this.valueCount === 0) return "string";
    if (this.integer) return "integer";
    if (this.decimal) return "decimal";
    if (this.boolean) return "boolean";
    if (this.date) return "date";
    return "string";
  }
}
