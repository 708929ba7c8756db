-- AlterTable
ALTER TABLE "Execution" ADD COLUMN     "amcWorkflowDeletedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Execution_amcWorkflowDeletedAt_idx" ON "Execution"("amcWorkflowDeletedAt");
