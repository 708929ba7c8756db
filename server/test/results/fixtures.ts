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

/**
 * Creates a collection of `weekCount` weeks starting on the Monday `firstMonday`. With
 * `firstDay` later in that week, the first week starts there and is partial.
 */
export async function createCollection(
  database: Database,
  options: { weekCount: number; firstMonday?: string; firstDay?: string; workflowId?: string },
): Promise<CollectionFixture> {
  const { prisma } = database;
  const n = ++counter;
  const firstMonday = options.firstMonday ?? "2024-01-01";
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
  const workflowId =
    options.workflowId ??
    (
      await prisma.workflow.create({
        data: { name: `wf ${n} ${Math.random()}`, sqlTemplate: "SELECT 1" },
      })
    ).id;
  const starts = Array.from({ length: options.weekCount }, (_, i) =>
    new Date(Date.parse(`${firstMonday}T00:00:00Z`) + i * 7 * 86_400_000)
      .toISOString()
      .slice(0, 10),
  );
  const last = starts.at(-1)!;
  const firstDay = options.firstDay ?? firstMonday;
  starts[0] = firstDay;
  const collection = await prisma.collection.create({
    data: {
      name: `collection ${n}`,
      workflowId,
      instanceId: instance.id,
      startDate: new Date(firstDay),
      endDate: new Date(Date.parse(last) + 6 * 86_400_000),
      sqlSnapshot: "SELECT 1",
      workflowVersion: 1,
      weeks: {
        create: starts.map((start, i) => {
          const monday = Date.parse(firstMonday) + i * 7 * 86_400_000;
          return {
            startDate: new Date(start),
            endDate: new Date(monday + 6 * 86_400_000),
            isoWeek: isoWeekOf(new Date(monday).toISOString().slice(0, 10)),
            partial: start !== new Date(monday).toISOString().slice(0, 10),
            dataReadyAt: new Date(monday + 9 * 86_400_000),
          };
        }),
      },
    },
    include: { weeks: { orderBy: { startDate: "asc" } } },
  });
  return {
    collectionId: collection.id,
    workflowId,
    weeks: collection.weeks.map((week) => ({
      id: week.id,
      startDate: week.startDate.toISOString().slice(0, 10),
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
