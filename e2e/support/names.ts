// Names of the account, instances and workflows that global setup creates.

export const accountName = "E2E sandbox account";
export const instanceName = "E2E sandbox instance";
/** Second instance, so that fault rules scoped to its AMC id touch no other scenario. */
export const faultInstanceName = "E2E fault instance";
export const faultAmcInstanceId = "amce2efaults";
export const weeklyWorkflowName = "E2E weekly impressions by campaign";
export const parameterWorkflowName = "E2E campaigns above a minimum";
