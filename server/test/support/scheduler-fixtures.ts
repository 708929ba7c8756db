import type { Database } from "../../src/db/database.ts";

// Rows the scheduler tests start from, written straight to the database so that the claim and
// the loop can be tested on their own.

const dayMs = 24 * 60 * 60 * 1000;

/** Options for `createFixtureCollections`. */
export interface FixtureOptions {
  collections: number;
  weeksPerCollection: number;
  /** Instances the collections are spread over, round robin. */
  instances?: number;
  maxConcurrentExecutions?: number;
  apiBaseUrl?: string;
  tokenUrl?: string;
  amcInstanceIds?: string[];
  credentials?: string;
  sqlTemplate?: string;
}

/** Ids of the rows created by `createFixtureCollections`, collections in creation order. */
export interface Fixture {
  accountId: string;
  instanceIds: string[];
  collectionIds: string[];
}

/** Creates an account, instances and collections of consecutive 2024 weeks, all PENDING. */
export async function createFixtureCollections(
  db: Database,
  options: FixtureOptions,
): Promise<Fixture> {
  const apiBaseUrl = options.apiBaseUrl ?? "http://127.0.0.1:9";
  const account = await db.prisma.account.create({
    data: {
      name: `account-${Math.random().toString(36).slice(2, 8)}`,
      region: "NA",
      entityId: "ENTITY1TEST",
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl,
      tokenUrl: options.tokenUrl ?? `${apiBaseUrl}/auth/o2/token`,
      credentials: options.credentials ?? "unused",
      isSandbox: true,
    },
  });
  const instanceIds: string[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    const instance = await db.prisma.instance.create({
      data: {
        accountId: account.id,
        amcInstanceId: options.amcInstanceIds?.[i] ?? `amcfixture${i}`,
        name: `Instance ${i}`,
        maxConcurrentExecutions: options.maxConcurrentExecutions ?? 10,
      },
    });
    instanceIds.push(instance.id);
  }
  const sqlTemplate =
    options.sqlTemplate ??
    "SELECT campaign, SUM(impressions) AS impressions FROM dsp_impressions GROUP BY campaign";
  const workflow = await db.prisma.workflow.create({
    data: { name: `workflow-${Math.random().toString(36).slice(2, 8)}`, sqlTemplate },
  });
  const collectionIds: string[] = [];
  const firstMonday = Date.UTC(2024, 0, 1);
  for (let c = 0; c < options.collections; c++) {
    const weeks = Array.from({ length: options.weeksPerCollection }, (_, w) => {
      const start = new Date(firstMonday + w * 7 * dayMs);
      const end = new Date(start.getTime() + 6 * dayMs);
      return {
        startDate: start,
        endDate: end,
        isoWeek: `2024-W${String(w + 1).padStart(2, "0")}`,
        dataReadyAt: new Date(end.getTime() + 3 * dayMs),
      };
    });
    const collection = await db.prisma.collection.create({
      data: {
        name: `collection ${c}`,
        workflowId: workflow.id,
        instanceId: instanceIds[c % instanceIds.length]!,
        startDate: weeks[0]!.startDate,
        endDate: weeks[weeks.length - 1]!.endDate,
        sqlSnapshot: sqlTemplate,
        workflowVersion: 1,
        // Distinct creation times keep the creation order the tests rely on.
        createdAt: new Date(Date.UTC(2025, 0, 1) + c * 1000),
        weeks: { create: weeks },
      },
    });
    collectionIds.push(collection.id);
  }
  return { accountId: account.id, instanceIds, collectionIds };
}
