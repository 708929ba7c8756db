import { gql } from "@urql/core";

// Every GraphQL document the web app sends. Fragments select what each view shows, and every
// entity selects `id` (and `version` where it has one) so that Graphcache and the version guard
// can merge results from queries, mutations and subscriptions.

export const ProgressFields = gql`
  fragment ProgressFields on CollectionProgress {
    total
    pending
    running
    succeeded
    failed
    skipped
    cancelled
    percent
  }
`;

export const CollectionSummaryFields = gql`
  fragment CollectionSummaryFields on Collection {
    id
    name
    status
    mode
    version
    startDate
    endDate
    timezone
    createdAt
    workflow {
      id
      name
    }
    instance {
      id
      name
    }
    progress {
      ...ProgressFields
    }
  }
  ${ProgressFields}
`;

export const WeekFields = gql`
  fragment WeekFields on Week {
    id
    version
    startDate
    endDate
    isoWeek
    partial
    status
    attempts
    errorMessage
    startedAt
    finishedAt
    durationMs
    rowCount
  }
`;

export const UserErrorFields = gql`
  fragment UserErrorFields on UserError {
    field
    message
    code
  }
`;

export const CollectionsQuery = gql`
  query Collections($status: CollectionStatus, $search: String, $first: Int, $after: String) {
    collections(status: $status, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...CollectionSummaryFields
        }
      }
    }
  }
  ${CollectionSummaryFields}
`;

export const CollectionsUpdatedSubscription = gql`
  subscription CollectionsUpdated {
    collectionsUpdated {
      id
      deleted
      collection {
        ...CollectionSummaryFields
      }
    }
  }
  ${CollectionSummaryFields}
`;

export const CollectionQuery = gql`
  query Collection($id: ID!) {
    collection(id: $id) {
      ...CollectionSummaryFields
      parameters
      averageWeekDurationMs
      weeks(first: 100) {
        totalCount
        nodes {
          ...WeekFields
        }
      }
    }
  }
  ${CollectionSummaryFields}
  ${WeekFields}
`;

export const CollectionUpdatedSubscription = gql`
  subscription CollectionUpdated($id: ID!) {
    collectionUpdated(id: $id) {
      id
      deleted
      collection {
        ...CollectionSummaryFields
        averageWeekDurationMs
      }
    }
  }
  ${CollectionSummaryFields}
`;

export const WeekUpdatedSubscription = gql`
  subscription WeekUpdated($collectionId: ID!) {
    weekUpdated(collectionId: $collectionId) {
      ...WeekFields
      collection {
        id
        version
        status
        progress {
          ...ProgressFields
        }
      }
    }
  }
  ${WeekFields}
  ${ProgressFields}
`;

export const WeekQuery = gql`
  query Week($id: ID!) {
    week(id: $id) {
      ...WeekFields
      collection {
        id
        name
        status
        version
      }
      executions {
        id
        attempt
        amcExecutionId
        status
        statusReason
        sql
        timeWindowStart
        timeWindowEnd
        submittedAt
        finishedAt
        timeline {
          time
          kind
          message
        }
      }
      result(first: 20) {
        columns {
          name
          type
        }
        rows {
          rowNumber
          values
        }
        totalCount
        rowsPurged
      }
    }
  }
  ${WeekFields}
`;

export const ColumnsQuery = gql`
  query Columns($id: ID!) {
    collection(id: $id) {
      id
      columns {
        name
        type
        isDimension
        weekCount
      }
    }
  }
`;

export const TrendQuery = gql`
  query Trend($id: ID!, $metric: String!, $aggregate: TrendAggregate!, $groupBy: String) {
    collection(id: $id) {
      id
      trend(metric: $metric, aggregate: $aggregate, groupBy: $groupBy) {
        trend {
          series {
            key
            isOther
            total
            points {
              weekStart
              isoWeek
              value
              partial
              status
            }
          }
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  }
  ${UserErrorFields}
`;

export const CompareQuery = gql`
  query Compare(
    $id: ID!
    $metric: String!
    $aggregate: TrendAggregate
    $periodA: WeekPeriod!
    $periodB: WeekPeriod!
  ) {
    collection(id: $id) {
      id
      compare(metric: $metric, aggregate: $aggregate, periodA: $periodA, periodB: $periodB) {
        comparison {
          periodA {
            from
            to
            value
            weekCount
            weeksWithResult
          }
          periodB {
            from
            to
            value
            weekCount
            weeksWithResult
          }
          absoluteChange
          percentChange
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  }
  ${UserErrorFields}
`;

export const PreviewWeeksQuery = gql`
  query PreviewWeeks($startDate: Date!, $endDate: Date!, $timezone: String!) {
    previewWeeks(startDate: $startDate, endDate: $endDate, timezone: $timezone) {
      startDate
      endDate
      isoWeek
      partial
      dataReadyAt
    }
  }
`;

export const FormOptionsQuery = gql`
  query FormOptions {
    workflows(first: 100) {
      edges {
        node {
          id
          name
          version
          parameters {
            name
            type
            default
            required
            passAs
          }
        }
      }
    }
    instances(first: 100) {
      edges {
        node {
          id
          name
          amcInstanceId
        }
      }
    }
  }
`;

export const CreateCollectionMutation = gql`
  mutation CreateCollection($input: CreateCollectionInput!) {
    createCollection(input: $input) {
      collection {
        ...CollectionSummaryFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CollectionSummaryFields}
  ${UserErrorFields}
`;

const collectionAction = (name: string) => gql`
  mutation ${name.charAt(0).toUpperCase() + name.slice(1)}($id: ID!) {
    ${name}(id: $id) {
      collection {
        ...CollectionSummaryFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CollectionSummaryFields}
  ${UserErrorFields}
`;

export const PauseCollectionMutation = collectionAction("pauseCollection");
export const ResumeCollectionMutation = collectionAction("resumeCollection");
export const CancelCollectionMutation = collectionAction("cancelCollection");

export const RetryFailedWeeksMutation = gql`
  mutation RetryFailedWeeks($collectionId: ID!) {
    retryFailedWeeks(collectionId: $collectionId) {
      collection {
        ...CollectionSummaryFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CollectionSummaryFields}
  ${UserErrorFields}
`;

export const RetryWeekMutation = gql`
  mutation RetryWeek($id: ID!, $force: Boolean) {
    retryWeek(id: $id, force: $force) {
      week {
        ...WeekFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${WeekFields}
  ${UserErrorFields}
`;

export const WorkflowsQuery = gql`
  query Workflows {
    workflows(first: 100) {
      edges {
        node {
          id
          name
          description
          sql
          version
          parameters {
            name
            type
            default
            required
            passAs
          }
        }
      }
    }
  }
`;

export const InstancesQuery = gql`
  query Instances {
    instances(first: 100) {
      edges {
        node {
          id
          name
          amcInstanceId
          maxConcurrentExecutions
          account {
            id
            name
          }
        }
      }
    }
    accounts(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

export const AccountsQuery = gql`
  query Accounts {
    accounts(first: 100) {
      edges {
        node {
          id
          name
          region
          entityId
          marketplaceId
          apiBaseUrl
          tokenUrl
          isSandbox
        }
      }
    }
  }
`;

const createMutation = (field: string, inputType: string, entity: string) => gql`
  mutation ${field.charAt(0).toUpperCase() + field.slice(1)}($input: ${inputType}!) {
    ${field}(input: $input) {
      ${entity} {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${UserErrorFields}
`;

const updateMutation = (field: string, inputType: string, entity: string) => gql`
  mutation ${field.charAt(0).toUpperCase() + field.slice(1)}($id: ID!, $input: ${inputType}!) {
    ${field}(id: $id, input: $input) {
      ${entity} {
        id
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${UserErrorFields}
`;

export const CreateWorkflowMutation = createMutation(
  "createWorkflow",
  "CreateWorkflowInput",
  "workflow",
);
export const UpdateWorkflowMutation = updateMutation(
  "updateWorkflow",
  "UpdateWorkflowInput",
  "workflow",
);
export const CreateInstanceMutation = createMutation(
  "createInstance",
  "CreateInstanceInput",
  "instance",
);
export const UpdateInstanceMutation = updateMutation(
  "updateInstance",
  "UpdateInstanceInput",
  "instance",
);
export const CreateAccountMutation = createMutation(
  "createAccount",
  "CreateAccountInput",
  "account",
);
export const UpdateAccountMutation = updateMutation(
  "updateAccount",
  "UpdateAccountInput",
  "account",
);
