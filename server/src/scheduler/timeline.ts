import type { Prisma } from "../generated/prisma/client.ts";
import type { SqlExecutor } from "./sql.ts";
import { utcNow } from "./sql.ts";

// The execution timeline: one ExecutionEvent row per submit, status change, wait, retry and
// error, so operators can see what happened to each attempt.

/** Kind of a timeline event. */
export type TimelineKind =
  | "SUBMITTING"
  | "SUBMITTED"
  | "RECOVERED"
  | "STATUS"
  | "THROTTLED"
  | "RETRY"
  | "ERROR"
  | "RESULT"
  | "CANCELLED"
  | "TAKEOVER"
  | "WORKFLOW_DELETED";

/** Appends an event to an execution's timeline. */
export async function addEvent(
  executor: SqlExecutor,
  executionId: string,
  kind: TimelineKind,
  message: string,
  data?: Prisma.InputJsonValue,
): Promise<void> {
  await executor.$executeRawUnsafe(
    `INSERT INTO "ExecutionEvent" (id, "executionId", at, kind, message, data)
     VALUES (gen_random_uuid(), $1::uuid, ${utcNow}, $2, $3, $4::jsonb)`,
    executionId,
    kind,
    message,
    data === undefined ? null : JSON.stringify(data),
  );
}
