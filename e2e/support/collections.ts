import { graphql } from "./api.ts";
import { faultInstanceName, instanceName, weeklyWorkflowName } from "./names.ts";

// Arranging collections through the API, for tests whose subject is not the form.

/** Ids of the workflow and instances that scenarios run collections with. */
export interface Setup {
  workflowId: string;
  instanceId: string;
  faultInstanceId: string;
}

interface CatalogData {
  workflows: { nodes: { id: string; name: string }[] };
  instances: { nodes: { id: string; name: string }[] };
}

/** Returns the ids of the workflow and instance that global setup created. */
export async function findDemoSetup(): Promise<Setup> {
  const data = await graphql<CatalogData>(`
    {
      workflows(first: 100) {
        nodes {
          id
          name
        }
      }
      instances(first: 100) {
        nodes {
          id
          name
        }
      }
    }
  `);
  const workflow = data.workflows.nodes.find((node) => node.name === weeklyWorkflowName);
  const instance = data.instances.nodes.find((node) => node.name === instanceName);
  const faultInstance = data.instances.nodes.find((node) => node.name === faultInstanceName);
  if (!workflow || !instance || !faultInstance) {
    throw new Error(
      `Workflow "${weeklyWorkflowName}" or instance "${instanceName}" is missing; global setup creates them.`,
    );
  }
  return { workflowId: workflow.id, instanceId: instance.id, faultInstanceId: faultInstance.id };
}

/** Returns the Monday `weeksAgo` whole weeks before the last complete week's Monday. */
function mondayWeeksAgo(weeksAgo: number): string {
  const now = new Date();
  // Data for a day is complete 48 hours after it ends; step back past that, then to a Monday.
  const lastComplete = new Date(now.getTime() - 3 * 24 * 60 * 60 * 1000);
  const daysSinceMonday = (lastComplete.getUTCDay() + 6) % 7;
  const monday = new Date(
    lastComplete.getTime() - (daysSinceMonday + 7 * weeksAgo) * 24 * 60 * 60 * 1000,
  );
  return monday.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * 24 * 60 * 60 * 1000)
    .toISOString()
    .slice(0, 10);
}

/** A collection as the tests read it back. */
export interface CollectionState {
  id: string;
  status: string;
  progress: {
    total: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    skipped: number;
    cancelled: number;
  };
}

/** Creates a collection of `weeks` whole weeks ending with the last complete week. */
export async function createCollection(
  name: string,
  weeks: number,
  options: { onFaultInstance?: boolean } = {},
): Promise<CollectionState> {
  const setup = await findDemoSetup();
  const instanceId = options.onFaultInstance ? setup.faultInstanceId : setup.instanceId;
  const startDate = mondayWeeksAgo(weeks);
  const endDate = addDays(startDate, weeks * 7 - 1);
  const data = await graphql<{
    createCollection: { collection: CollectionState | null; userErrors: { message: string }[] };
  }>(
    `
      mutation ($input: CreateCollectionInput!) {
        createCollection(input: $input) {
          collection {
            id
            status
            progress {
              total
              pending
              running
              succeeded
              failed
              skipped
              cancelled
            }
          }
          userErrors {
            field
            message
          }
        }
      }
    `,
    {
      input: {
        name,
        workflowId: setup.workflowId,
        instanceId,
        startDate,
        endDate,
        timezone: "UTC",
      },
    },
  );
  const { collection, userErrors } = data.createCollection;
  if (!collection)
    throw new Error(
      `createCollection failed: ${userErrors.map((error) => error.message).join("; ")}`,
    );
  return collection;
}

/** Reads a collection's status and progress from the server. */
export async function readCollection(id: string): Promise<CollectionState> {
  const data = await graphql<{ collection: CollectionState }>(
    `
      query ($id: ID!) {
        collection(id: $id) {
          id
          status
          progress {
            total
            pending
            running
            succeeded
            failed
            skipped
            cancelled
          }
        }
      }
    `,
    { id },
  );
  return data.collection;
}

/** Counts collections on the server. */
export async function countCollections(): Promise<number> {
  const data = await graphql<{ collections: { totalCount: number } }>(`
    {
      collections {
        totalCount
      }
    }
  `);
  return data.collections.totalCount;
}

/** Returns how many weeks have finished, whatever their outcome. */
export function finishedCount(state: CollectionState): number {
  const { succeeded, failed, skipped, cancelled } = state.progress;
  return succeeded + failed + skipped + cancelled;
}
