import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import type { CreateCollectionInput } from "../../src/domain/collections.ts";

// Rows that collection tests build on: one account, instance and workflow per database.

/** Fixed "now" of the collection tests: Wednesday 2026-12-02, 12:00 UTC. */
export const testNow = new Date("2026-12-02T12:00:00.000Z");

export const testOptions = { now: testNow, maxWeeks: 60 };

export const testTemplate =
  "SELECT campaign, SUM(impressions) AS impressions FROM sponsored_ads_traffic " +
  "WHERE event_dt >= '{{start_date}}' AND event_dt <= '{{end_date}}' AND brand = {{brand}} " +
  "AND campaign_id IN (CUSTOM_PARAMETER('campaigns')) GROUP BY campaign";

/** Inserts an account, an instance and a workflow, and returns their ids. */
export async function insertFixtures(
  prisma: PrismaClient,
): Promise<{ instanceId: string; workflowId: string }> {
  const account = await prisma.account.create({
    data: {
      name: "Test account",
      region: "NA",
      entityId: "ENTITYTEST",
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl: "http://127.0.0.1:1",
      tokenUrl: "http://127.0.0.1:1/auth/o2/token",
      credentials: "v1.x.y.z",
    },
  });
  const instance = await prisma.instance.create({
    data: { accountId: account.id, amcInstanceId: "amctest", name: "Test instance" },
  });
  const workflow = await prisma.workflow.create({
    data: {
      name: "Weekly impressions",
      sqlTemplate: testTemplate,
      parameters: [
        { name: "brand", type: "STRING", defaultValue: "Acme", required: true, passAs: "TEMPLATE" },
        {
          name: "campaigns",
          type: "INTEGER_LIST",
          defaultValue: null,
          required: true,
          passAs: "CUSTOM_PARAMETER",
        },
      ],
      version: 3,
    },
  });
  return { instanceId: instance.id, workflowId: workflow.id };
}

/** Returns a valid BACKFILL input over four whole weeks of November 2026. */
export function validInput(
  ids: { instanceId: string; workflowId: string },
  overrides: Partial<CreateCollectionInput> = {},
): CreateCollectionInput {
  return {
    name: "November impressions",
    workflowId: ids.workflowId,
    instanceId: ids.instanceId,
    startDate: "2026-11-02",
    endDate: "2026-11-29",
    timezone: "America/New_York",
    parameterValues: { campaigns: [101, 102] },
    ...overrides,
  };
}
