import type { Database } from "../../src/db/database.ts";
import { activateResult } from "../../src/results/activate.ts";
import { ingestResult, type IngestedResult } from "../../src/results/ingest.ts";

// Collections, weeks and executions for result tests, created straight through Prisma.

/** A collection with its weeks, oldest first. */
export interface CollectionFixture {
  collectionId: string;
  workflowId: string;
  weeks: { id: string; startDate: string; isoWeek: string }[];
}

let counter = 0;

/** Returns the ISO week label of a Monday given as YYYY-MM-DD. */
export function isoWeekOf(monday: string): string {
  const date = new Date(`${monday}T00:00:00Z`);
  const thursday = new Date(date.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round((thursday.getTime() - firstThursday.getTime()) / 604_800_000);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const dayMs = 86_400_000;

function toDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Creates an account with one instance, and a workflow unless one is given. */
async function createOwners(
  database: Database,
  n: number,
  workflowId: string | undefined,
): Promise<{ instanceId: string; workflowId: string }> {
  const { prisma } = database;
  const account = await prisma.account.create({
    data: {
      name: `account ${n} ${Math.random()}`,
      region: "NA",
      entityId: "ENTITY1",
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl: "http://127.0.0.1:9",
      tokenUrl: "http://127.0.0.1:9/auth/o2/token",
      credentials: "v1.x.y.z",
    },
  });
  const instance = await prisma.instance.create({
    data: { accountId: account.id, amcInstanceId: `amc${n}`, name: `Instance ${n}` },
  });
  if (workflowId) return { instanceId: instance.id, workflowId };

  const workflow = await prisma.workflow.create({
    data: { name: `wf ${n} ${Math.random()}`, sqlTemplate: "SELECT 1" },
  });
  return { instanceId: instance.id, workflowId: workflow.id };
}

/** Plans `weekCount` Monday-to-Sunday weeks; the first starts on `firstDay` of its week. */
function planWeeks(firstMonday: string, firstDay: string, weekCount: number) {
  return Array.from({ length: weekCount }, (_, i) => {
    const mondayMs = Date.parse(firstMonday) + i * 7 * dayMs;
    const start = i === 0 ? firstDay : toDay(mondayMs);
    return {
      startDate: new Date(start),
      endDate: new Date(mondayMs + 6 * dayMs),
      isoWeek: isoWeekOf(toDay(mondayMs)),
      partial: start !== toDay(mondayMs),
      dataReadyAt: new Date(mondayMs + 9 * dayMs),
    };
  });
}

/**
 * Creates a collection of `weekCount` weeks starting on the Monday `firstMonday`. With
 * `firstDay` later in that week, the first week starts there and is partial.
 */
export async function createCollection(
  database: Database,
  options: { weekCount: number; firstMonday?: string; firstDay?: string; workflowId?: string },
): Promise<CollectionFixture> {
  const n = ++counter;
  const firstMonday = options.firstMonday ?? "2024-01-01";
  const firstDay = options.firstDay ?? firstMonday;
  const { instanceId, workflowId } = await createOwners(database, n, options.workflowId);
  const weeks = planWeeks(firstMonday, firstDay, options.weekCount);

  const collection = await database.prisma.collection.create({
    data: {
      name: `collection ${n}`,
      workflowId,
      instanceId,
      startDate: new Date(firstDay),
      endDate: weeks.at(-1)!.endDate,
      sqlSnapshot: "SELECT 1",
      workflowVersion: 1,
      weeks: { create: weeks },
    },
    include: { weeks: { orderBy: { startDate: "asc" } } },
  });
  return {
    collectionId: collection.id,
    workflowId,
    weeks: collection.weeks.map((week) => ({
      id: week.id,
      startDate: toDay(week.startDate.getTime()),
      isoWeek: week.isoWeek,
    })),
  };
}

/** Creates the next execution attempt of a week and returns its id. */
export async function createExecution(database: Database, weekId: string): Promise<string> {
  const attempts = await database.prisma.execution.count({ where: { weekId } });
  const execution = await database.prisma.execution.create({
    data: {
      weekId,
      attempt: attempts + 1,
      status: "SUCCEEDED",
      sql: "SELECT 1",
      timeWindowStart: "2024-01-01T00:00:00",
      timeWindowEnd: "2024-01-08T00:00:00",
      timeWindowTimeZone: "UTC",
    },
  });
  return execution.id;
}

/** Returns a CSV part as a web stream, split into small chunks to exercise the parser. */
export function csvPart(text: string, chunkBytes = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}

/** Ingests CSV texts as one result of the week and makes it current, as the scheduler does. */
export async function storeWeekResult(
  database: Database,
  fixture: CollectionFixture,
  weekIndex: number,
  parts: string[],
): Promise<IngestedResult> {
  const week = fixture.weeks[weekIndex]!;
  const executionId = await createExecution(database, week.id);
  const result = await ingestResult(database, {
    executionId,
    weekId: week.id,
    collectionId: fixture.collectionId,
    parts: parts.map((text) => csvPart(text)),
  });
  await database.prisma.$transaction(async (tx) => {
    await activateResult(tx, week.id, result.resultSetId);
    await tx.week.update({ where: { id: week.id }, data: { status: "SUCCESS" } });
  });
  return result;
}
