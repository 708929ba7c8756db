// Shapes of the data the documents in documents.ts select, written by hand so the app needs
// no code generation step. Dates are "YYYY-MM-DD" strings and times ISO 8601 strings.

/** Lifecycle state of a collection. */
export type CollectionStatus = "ACTIVE" | "PAUSED" | "COMPLETED" | "FAILED" | "CANCELLED";

/** State of one week. */
export type WeekStatus = "PENDING" | "RUNNING" | "SUCCESS" | "FAILED" | "SKIPPED" | "CANCELLED";

/** Week counts of a collection by status. */
export interface Progress {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  percent: number;
}

/** A collection as lists and headers show it. */
export interface CollectionSummary {
  id: string;
  name: string;
  status: CollectionStatus;
  mode: string;
  version: number;
  startDate: string;
  endDate: string;
  timezone: string;
  createdAt: string;
  workflow: { id: string; name: string };
  instance: { id: string; name: string };
  progress: Progress;
}

/** One week of a collection. */
export interface Week {
  id: string;
  version: number;
  startDate: string;
  endDate: string;
  isoWeek: string;
  partial: boolean;
  status: WeekStatus;
  attempts: number;
  errorMessage: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rowCount: number | null;
}

/** Relay connection, reduced to what the app reads. */
export interface Connection<Node> {
  totalCount?: number;
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: Node }[];
}

/** Validation problem returned by a mutation instead of a GraphQL error. */
export interface UserError {
  field: string[] | string | null;
  message: string;
  code: string | null;
}

/** Declared parameter of a workflow. */
export interface WorkflowParameter {
  name: string;
  type: string;
  default: unknown;
  required: boolean;
  /** TEMPLATE (a literal in the SQL) or CUSTOM_PARAMETER (an AMC parameter value). */
  passAs?: string;
}

/** A result column with its inferred type: INTEGER, DECIMAL, STRING, BOOLEAN or DATE. */
export interface ResultColumn {
  name: string;
  type: string;
  /** True when trends can group or filter by the column's values. */
  isDimension?: boolean;
}
