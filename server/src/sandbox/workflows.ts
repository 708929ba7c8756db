import { AmcHttpError } from "./http.ts";
import type { StoredWorkflow } from "./types.ts";

/** Saved workflows per instance, as AMC's /workflows calls manage them. */
export class WorkflowStore {
  private readonly byInstance = new Map<string, Map<string, StoredWorkflow>>();

  find(instanceId: string, workflowId: string): StoredWorkflow | undefined {
    return this.byInstance.get(instanceId)?.get(workflowId);
  }

  /** Returns the workflow; 404 when the instance has none with this id. */
  get(instanceId: string, workflowId: string): StoredWorkflow {
    const workflow = this.find(instanceId, workflowId);
    if (!workflow) throw new AmcHttpError(404, `Workflow with ID ${workflowId} was not found.`);
    return workflow;
  }

  /** Adds a workflow; 400 when the id is taken, with AMC's message. */
  create(instanceId: string, workflow: StoredWorkflow): StoredWorkflow {
    const workflows = this.instanceWorkflows(instanceId);
    if (workflows.has(workflow.workflowId)) {
      throw new AmcHttpError(400, `Workflow with ID ${workflow.workflowId} already exists.`);
    }
    workflows.set(workflow.workflowId, workflow);
    return workflow;
  }

  /** Replaces a workflow; 404 when it does not exist. */
  update(instanceId: string, workflow: StoredWorkflow): StoredWorkflow {
    this.get(instanceId, workflow.workflowId);
    this.instanceWorkflows(instanceId).set(workflow.workflowId, workflow);
    return workflow;
  }

  /** Deletes a workflow; 404 when it does not exist. */
  delete(instanceId: string, workflowId: string): void {
    this.get(instanceId, workflowId);
    this.instanceWorkflows(instanceId).delete(workflowId);
  }

  list(instanceId: string): StoredWorkflow[] {
    return [...this.instanceWorkflows(instanceId).values()];
  }

  private instanceWorkflows(instanceId: string): Map<string, StoredWorkflow> {
    let workflows = this.byInstance.get(instanceId);
    if (!workflows) {
      workflows = new Map();
      this.byInstance.set(instanceId, workflows);
    }
    return workflows;
  }
}
