-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Region" AS ENUM ('NA', 'EU', 'FE');

-- CreateEnum
CREATE TYPE "CollectionMode" AS ENUM ('BACKFILL', 'ROLLING');

-- CreateEnum
CREATE TYPE "CollectionStatus" AS ENUM ('ACTIVE', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "WeekStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ExecutionStatus" AS ENUM ('SUBMITTING', 'PENDING', 'RUNNING', 'PUBLISHING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED');

-- CreateEnum
CREATE TYPE "ApiTokenRole" AS ENUM ('VIEWER', 'OPERATOR', 'ADMIN');

-- CreateTable
CREATE TABLE "Account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "region" "Region" NOT NULL,
    "entityId" TEXT NOT NULL,
    "marketplaceId" TEXT NOT NULL,
    "apiBaseUrl" TEXT NOT NULL,
    "tokenUrl" TEXT NOT NULL,
    "credentials" TEXT NOT NULL,
    "isSandbox" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "amcInstanceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "maxConcurrentExecutions" INTEGER NOT NULL DEFAULT 10,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Workflow" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "sqlTemplate" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workflow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Collection" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "workflowId" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "startDate" DATE NOT NULL,
    "endDate" DATE NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "parameterValues" JSONB NOT NULL DEFAULT '{}',
    "sqlSnapshot" TEXT NOT NULL,
    "parametersSnapshot" JSONB NOT NULL DEFAULT '[]',
    "workflowVersion" INTEGER NOT NULL,
    "mode" "CollectionMode" NOT NULL DEFAULT 'BACKFILL',
    "status" "CollectionStatus" NOT NULL DEFAULT 'ACTIVE',
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "amcWorkflowId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Collection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Week" (
    "id" UUID NOT NULL,
    "collectionId" UUID NOT NULL,
    "startDate" DATE NOT NULL,
    "endDate" DATE NOT NULL,
    "isoWeek" TEXT NOT NULL,
    "partial" BOOLEAN NOT NULL DEFAULT false,
    "status" "WeekStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dataReadyAt" TIMESTAMP(3) NOT NULL,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "errorMessage" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "rowCount" INTEGER,
    "summary" JSONB,
    "currentResultId" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Week_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Execution" (
    "id" UUID NOT NULL,
    "weekId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "amcExecutionId" TEXT,
    "amcWorkflowId" TEXT,
    "status" "ExecutionStatus" NOT NULL DEFAULT 'SUBMITTING',
    "statusReason" TEXT,
    "sql" TEXT NOT NULL,
    "parameterValues" JSONB NOT NULL DEFAULT '{}',
    "timeWindowStart" TEXT NOT NULL,
    "timeWindowEnd" TEXT NOT NULL,
    "timeWindowTimeZone" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "lastPolledAt" TIMESTAMP(3),
    "nextPollAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Execution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExecutionEvent" (
    "id" UUID NOT NULL,
    "executionId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "data" JSONB,

    CONSTRAINT "ExecutionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResultSet" (
    "id" UUID NOT NULL,
    "executionId" UUID NOT NULL,
    "weekId" UUID NOT NULL,
    "columns" JSONB NOT NULL DEFAULT '[]',
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "completedAt" TIMESTAMP(3),
    "rowsPurgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResultSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResultRow" (
    "resultSetId" UUID NOT NULL,
    "rowNumber" INTEGER NOT NULL,
    "values" JSONB NOT NULL,

    CONSTRAINT "ResultRow_pkey" PRIMARY KEY ("resultSetId","rowNumber")
);

-- CreateTable
CREATE TABLE "WeekMetric" (
    "id" UUID NOT NULL,
    "resultSetId" UUID NOT NULL,
    "weekId" UUID NOT NULL,
    "collectionId" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "dimension" TEXT NOT NULL DEFAULT '',
    "dimensionValue" TEXT NOT NULL DEFAULT '',
    "sum" DOUBLE PRECISION,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "WeekMetric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiTokenRole" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_name_key" ON "Account"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_accountId_amcInstanceId_key" ON "Instance"("accountId", "amcInstanceId");

-- CreateIndex
CREATE UNIQUE INDEX "Workflow_name_key" ON "Workflow"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Collection_idempotencyKey_key" ON "Collection"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Collection_status_createdAt_idx" ON "Collection"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Collection_instanceId_status_idx" ON "Collection"("instanceId", "status");

-- CreateIndex
CREATE INDEX "Collection_createdAt_idx" ON "Collection"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Week_currentResultId_key" ON "Week"("currentResultId");

-- CreateIndex
CREATE INDEX "Week_status_nextAttemptAt_idx" ON "Week"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Week_collectionId_status_idx" ON "Week"("collectionId", "status");

-- CreateIndex
CREATE INDEX "Week_leaseExpiresAt_idx" ON "Week"("leaseExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Week_collectionId_startDate_key" ON "Week"("collectionId", "startDate");

-- CreateIndex
CREATE UNIQUE INDEX "Week_collectionId_isoWeek_key" ON "Week"("collectionId", "isoWeek");

-- CreateIndex
CREATE INDEX "Execution_amcExecutionId_idx" ON "Execution"("amcExecutionId");

-- CreateIndex
CREATE INDEX "Execution_status_idx" ON "Execution"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Execution_weekId_attempt_key" ON "Execution"("weekId", "attempt");

-- CreateIndex
CREATE INDEX "ExecutionEvent_executionId_at_idx" ON "ExecutionEvent"("executionId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ResultSet_executionId_key" ON "ResultSet"("executionId");

-- CreateIndex
CREATE INDEX "ResultSet_weekId_idx" ON "ResultSet"("weekId");

-- CreateIndex
CREATE INDEX "WeekMetric_collectionId_metric_dimension_idx" ON "WeekMetric"("collectionId", "metric", "dimension");

-- CreateIndex
CREATE UNIQUE INDEX "WeekMetric_resultSetId_metric_dimension_dimensionValue_key" ON "WeekMetric"("resultSetId", "metric", "dimension", "dimensionValue");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Week" ADD CONSTRAINT "Week_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Week" ADD CONSTRAINT "Week_currentResultId_fkey" FOREIGN KEY ("currentResultId") REFERENCES "ResultSet"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_weekId_fkey" FOREIGN KEY ("weekId") REFERENCES "Week"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExecutionEvent" ADD CONSTRAINT "ExecutionEvent_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResultSet" ADD CONSTRAINT "ResultSet_executionId_fkey" FOREIGN KEY ("executionId") REFERENCES "Execution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResultSet" ADD CONSTRAINT "ResultSet_weekId_fkey" FOREIGN KEY ("weekId") REFERENCES "Week"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResultRow" ADD CONSTRAINT "ResultRow_resultSetId_fkey" FOREIGN KEY ("resultSetId") REFERENCES "ResultSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeekMetric" ADD CONSTRAINT "WeekMetric_resultSetId_fkey" FOREIGN KEY ("resultSetId") REFERENCES "ResultSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeekMetric" ADD CONSTRAINT "WeekMetric_weekId_fkey" FOREIGN KEY ("weekId") REFERENCES "Week"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Constraints that schema.prisma cannot express.
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_dates_check" CHECK ("endDate" >= "startDate");
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_timezone_check" CHECK ("timezone" <> '');
ALTER TABLE "Collection" ADD CONSTRAINT "Collection_version_check" CHECK ("version" >= 1);
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_maxConcurrentExecutions_check" CHECK ("maxConcurrentExecutions" >= 1);
-- A week lies inside one Monday-to-Sunday ISO week.
ALTER TABLE "Week" ADD CONSTRAINT "Week_dates_check" CHECK ("endDate" >= "startDate" AND "endDate" - "startDate" <= 7 - EXTRACT(ISODOW FROM "startDate")::int);
ALTER TABLE "Week" ADD CONSTRAINT "Week_attempts_check" CHECK ("attempts" >= 0);
ALTER TABLE "Week" ADD CONSTRAINT "Week_version_check" CHECK ("version" >= 1);
ALTER TABLE "Week" ADD CONSTRAINT "Week_isoWeek_check" CHECK ("isoWeek" ~ '^[0-9]{4}-W[0-9]{2}$');
ALTER TABLE "Week" ADD CONSTRAINT "Week_lease_check" CHECK (("leaseOwner" IS NULL) = ("leaseExpiresAt" IS NULL));
ALTER TABLE "Execution" ADD CONSTRAINT "Execution_attempt_check" CHECK ("attempt" >= 1);
ALTER TABLE "ResultSet" ADD CONSTRAINT "ResultSet_rowCount_check" CHECK ("rowCount" >= 0);
ALTER TABLE "WeekMetric" ADD CONSTRAINT "WeekMetric_count_check" CHECK ("count" >= 0);
-- At most one attempt of a week is in flight at AMC at any time.
CREATE UNIQUE INDEX "Execution_one_active_per_week" ON "Execution" ("weekId") WHERE "status" IN ('SUBMITTING', 'PENDING', 'RUNNING', 'PUBLISHING');
