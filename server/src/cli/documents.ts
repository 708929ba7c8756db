// GraphQL documents the command-line tool sends. They use only the public schema
// (server/schema.graphql), so the tool works against any server of the same version.

const collectionFields = `
  id name status mode startDate endDate timezone createdAt version
  workflow { id name } instance { id name amcInstanceId }
  progress { total pending running succeeded failed skipped cancelled percent }
`;

const userErrorFields = "userErrors { field message code }";

export const workflowsQuery = `query { workflows(first: 100) { nodes { id name version } } }`;

export const instancesQuery = `query {
  instances(first: 100) { nodes { id name amcInstanceId account { name } } }
}`;

export const collectionsQuery = `query Collections($status: CollectionStatus, $search: String, $first: Int) {
  collections(status: $status, search: $search, first: $first) {
    totalCount
    nodes { ${collectionFields} }
  }
}`;

export const collectionQuery = `query Collection($id: ID!) {
  collection(id: $id) {
    ${collectionFields}
    weeks(first: 500) { nodes { id isoWeek startDate endDate status attempts errorMessage } }
  }
}`;

export const createCollectionMutation = `mutation Create($input: CreateCollectionInput!) {
  createCollection(input: $input) { collection { ${collectionFields} } ${userErrorFields} }
}`;

/** Builds a mutation that takes a collection id and returns the collection. */
export function collectionStatusMutation(name: string): string {
  return `mutation Change($id: ID!) {
  ${name}(id: $id) { collection { ${collectionFields} } ${userErrorFields} }
}`;
}

export const deleteCollectionMutation = `mutation Delete($id: ID!) {
  deleteCollection(id: $id) { deletedCollectionId ${userErrorFields} }
}`;

export const retryWeekMutation = `mutation Retry($id: ID!, $force: Boolean) {
  retryWeek(id: $id, force: $force) { week { id isoWeek status attempts } ${userErrorFields} }
}`;

export const retryFailedWeeksMutation = `mutation RetryFailed($collectionId: ID!) {
  retryFailedWeeks(collectionId: $collectionId) {
    collection { ${collectionFields} }
    retriedCount
    ${userErrorFields}
  }
}`;

export const createApiTokenMutation = `mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name role prefix } ${userErrorFields} }
}`;

export const collectionUpdatedSubscription = `subscription Watch($id: ID!) {
  collectionUpdated(id: $id) { deleted collection { ${collectionFields} } }
}`;
