import type { Db } from "../domain/db.ts";
import { createAccount } from "../domain/accounts.ts";
import { createInstance } from "../domain/instances.ts";
import { createWorkflow } from "../domain/workflows.ts";
import type { Logger } from "../logger.ts";
import { syntheticEntityId } from "../sandbox/sql/catalog.ts";
import { demoWorkflows } from "./workflows.ts";

// Demo content for a fresh installation: an account that points at the local AMC sandbox, two
// instances and the example workflows, so that a new user can create a collection at once.

/** Name of the seeded sandbox account. */
export const demoAccountName = "AMC sandbox (demo)";

/** Credentials of the demo account. The sandbox accepts any unless started with fixed ones. */
const demoCredentials = {
  clientId: "amzn1.application-oa2-client.sandbox",
  clientSecret: "sandbox-client-secret",
  refreshToken: "Atzr|sandbox-refresh-token",
};

const demoInstances = [
  { amcInstanceId: "amcsandbox01", name: "Sandbox instance (US)" },
  { amcInstanceId: "amcsandbox02", name: "Sandbox instance (staging)" },
];

/** URLs of the sandbox's AMC API and token endpoint. */
export interface SandboxEndpoints {
  apiBaseUrl: string;
  tokenUrl: string;
}

/**
 * Seeds the demo content when no account exists yet, and points existing sandbox accounts at
 * the sandbox's current URL (it changes when the port does). Returns true when it seeded.
 */
export async function seedDemoContent(
  prisma: Db,
  secretKey: Buffer,
  endpoints: SandboxEndpoints,
  logger: Logger,
): Promise<boolean> {
  await prisma.account.updateMany({
    where: { isSandbox: true, NOT: { apiBaseUrl: endpoints.apiBaseUrl } },
    data: { apiBaseUrl: endpoints.apiBaseUrl, tokenUrl: endpoints.tokenUrl },
  });
  if ((await prisma.account.count()) > 0) return false;

  try {
    const account = await createAccount(prisma, secretKey, {
      name: demoAccountName,
      region: "NA",
      entityId: syntheticEntityId,
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl: endpoints.apiBaseUrl,
      tokenUrl: endpoints.tokenUrl,
      credentials: demoCredentials,
      isSandbox: true,
    });
    for (const instance of demoInstances) {
      await createInstance(prisma, { accountId: account.id, ...instance });
    }
    let workflowsCreated = 0;
    for (const workflow of demoWorkflows) {
      if ((await prisma.workflow.count({ where: { name: workflow.name } })) > 0) continue;
      await createWorkflow(prisma, workflow);
      workflowsCreated += 1;
    }
    logger.info(
      { accountId: account.id, instances: demoInstances.length, workflows: workflowsCreated },
      "demo content seeded",
    );
    return true;
  } catch (error) {
    // Another replica that started at the same moment may have seeded first. Names are unique.
    if ((await prisma.account.count({ where: { name: demoAccountName } })) > 0) {
      logger.info("demo content was seeded by another process");
      return false;
    }
    throw error;
  }
}
