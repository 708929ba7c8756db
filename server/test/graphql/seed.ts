import type { Database } from "../../src/db/database.ts";
import type { Collection, Instance, Week, Workflow } from "../../src/generated/prisma/client.ts";

// Seed rows for GraphQL tests, written straight through Prisma so that read tests do not depend
// on the domain layer's rules.

let sequence = 0;

/** Creates an account, an instance on it and a workflow. */
export async function seedSetup(
  database: Database,
): Promise<{ instance: Instance; workflow: Workflow }> {
  sequence += 1;
  const account = await database.prisma.account.create({
    data: {
      name: `Account ${sequence}`,
      region: "NA",
      entityId: `ENTITY${sequence}`,
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl: "http://127.0.0.1:9/",
      tokenUrl: "http://127.0.0.1:9/auth/o2/token",
      credentials: "ciphertext-that-must-never-be-readable",
    },
  });
  const instance = await database.prisma.instance.create({
    data: { accountId: account.id, amcInstanceId: `amc${sequence}`, name: `Instance ${sequence}` },
  });
  const workflow = await database.prisma.workflow.create({
    data: {
      name: `Workflow ${sequence}`,
      sqlTemplate: "SELECT 1 AS one WHERE '{{start_date}}' < '{{end_date}}'",
      parameters: [{ name: "minimum", type: "INTEGER", defaultValue: 0, required: false }],
    },
  });
  return { instance, workflow };
}

/** Creates a collection with `weekCount` weeks from 2025-01-06, with the given statuses in turn. */
export async function seedCollection(
  database: Database,
  setup: { instance: Instance; workflow: Workflow },
  options: { name?: string; weekCount?: number; statuses?: Week["status"][] } = {},
): Promise<{ collection: Collection; weeks: Week[] }> {
  const weekCount = options.weekCount ?? 4;
  const statuses = options.statuses ?? ["PENDING"];
  const startMs = Date.UTC(2025, 0, 6);
  const dayMs = 86_400_000;
  const collection = await database.prisma.collection.create({
    data: {
      name: options.name ?? `Collection ${++sequence}`,
      workflowId: setup.workflow.id,
      instanceId: setup.instance.id,
      startDate: new Date(startMs),
      endDate: new Date(startMs + (weekCount * 7 - 1) * dayMs),
      sqlSnapshot: setup.workflow.sqlTemplate,
      workflowVersion: setup.workflow.version,
      parameterValues: { minimum: 1 },
    },
  });
  const weeks: Week[] = [];
  for (let index = 0; index < weekCount; index += 1) {
    const start = new Date(startMs + index * 7 * dayMs);
    const status = statuses[index % statuses.length]!;
    weeks.push(
      await database.prisma.week.create({
        data: {
          collectionId: collection.id,
          startDate: start,
          endDate: new Date(start.getTime() + 6 * dayMs),
          isoWeek: `2025-W${String(index + 2).padStart(2, "0")}`,
          status,
          dataReadyAt: new Date(start.getTime() + 9 * dayMs),
          durationMs: status === "SUCCESS" ? 1000 * (index + 1) : null,
          rowCount: status === "SUCCESS" ? 10 : null,
        },
      }),
    );
  }
  return { collection, weeks };
}
