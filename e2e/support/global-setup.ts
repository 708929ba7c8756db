import { graphql } from "./api.ts";
import {
  accountName,
  faultAmcInstanceId,
  faultInstanceName,
  instanceName,
  parameterWorkflowName,
  weeklyWorkflowName,
} from "./names.ts";
import { createCollection } from "./collections.ts";
import { sandboxUrl, scenarioWeeks } from "./stack.ts";

// Creates the advertiser account, instance and workflows that the scenarios use, pointing at the
// suite's AMC sandbox. Names are fixed, so a second run against the same data reuses them.

const weeklySql = [
  "SELECT campaign, SUM(impressions) AS impressions, SUM(total_cost) AS total_cost",
  "FROM dsp_impressions",
  "GROUP BY campaign",
].join("\n");

const parameterSql = [
  "SELECT campaign, SUM(impressions) AS impressions",
  "FROM dsp_impressions",
  "GROUP BY campaign",
  "HAVING SUM(impressions) >= {{min_impressions}}",
].join("\n");

interface Named {
  id: string;
  name: string;
}

async function listNames(field: "accounts" | "instances" | "workflows"): Promise<Named[]> {
  const data = await graphql<Record<string, { nodes: Named[] }>>(
    `{ ${field}(first: 100) { nodes { id name } } }`,
  );
  return data[field]?.nodes ?? [];
}

async function create(
  mutation: string,
  inputType: string,
  entity: string,
  input: unknown,
): Promise<string> {
  const data = await graphql<
    Record<string, { userErrors: { message: string }[] } & Record<string, Named | null>>
  >(
    `mutation ($input: ${inputType}!) { ${mutation}(input: $input) { ${entity} { id name } userErrors { field message } } }`,
    { input },
  );
  const payload = data[mutation];
  const created = payload?.[entity] as Named | null | undefined;
  if (!created) {
    throw new Error(
      `${mutation} failed: ${payload?.userErrors.map((error) => error.message).join("; ")}`,
    );
  }
  return created.id;
}

async function ensureAccount(): Promise<string> {
  const existing = (await listNames("accounts")).find((account) => account.name === accountName);
  if (existing) return existing.id;
  return create("createAccount", "CreateAccountInput", "account", {
    name: accountName,
    region: "NA",
    entityId: "ENTITYE2ESANDBOX",
    marketplaceId: "ATVPDKIKX0DER",
    apiBaseUrl: sandboxUrl,
    tokenUrl: `${sandboxUrl}/auth/o2/token`,
    credentials: {
      clientId: "e2e-client",
      clientSecret: "e2e-secret",
      refreshToken: "e2e-refresh",
    },
  });
}

async function ensureInstances(accountId: string): Promise<void> {
  const names = new Set((await listNames("instances")).map((instance) => instance.name));
  const wanted = [
    { name: instanceName, amcInstanceId: "amce2esandbox" },
    { name: faultInstanceName, amcInstanceId: faultAmcInstanceId },
  ];
  for (const instance of wanted) {
    if (names.has(instance.name)) continue;
    await create("createInstance", "CreateInstanceInput", "instance", { accountId, ...instance });
  }
}

async function ensureWorkflows(): Promise<void> {
  const names = new Set((await listNames("workflows")).map((workflow) => workflow.name));
  if (!names.has(weeklyWorkflowName)) {
    await create("createWorkflow", "CreateWorkflowInput", "workflow", {
      name: weeklyWorkflowName,
      description: "Impressions and cost per campaign and week",
      sql: weeklySql,
      parameters: [],
    });
  }
  if (!names.has(parameterWorkflowName)) {
    await create("createWorkflow", "CreateWorkflowInput", "workflow", {
      name: parameterWorkflowName,
      description: "Campaigns with at least a given number of impressions",
      sql: parameterSql,
      parameters: [{ name: "min_impressions", type: "INTEGER", required: true, default: null }],
    });
  }
}

/** Playwright global setup: runs once, after the web servers are up. */
export default async function globalSetup(): Promise<void> {
  const accountId = await ensureAccount();
  await ensureInstances(accountId);
  await ensureWorkflows();
  // Runs the scenarios' weeks once while the layout tests run, so that the sandbox has their
  // results cached before the first scenario needs them. Nothing waits for it.
  await createCollection("e2e sandbox warm-up", scenarioWeeks);
}
