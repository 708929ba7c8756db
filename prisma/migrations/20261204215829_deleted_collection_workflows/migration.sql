-- CreateTable
CREATE TABLE "AmcWorkflowDeletion" (
    "id" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "amcWorkflowId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AmcWorkflowDeletion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AmcWorkflowDeletion_instanceId_amcWorkflowId_key" ON "AmcWorkflowDeletion"("instanceId", "amcWorkflowId");

-- AddForeignKey
ALTER TABLE "AmcWorkflowDeletion" ADD CONSTRAINT "AmcWorkflowDeletion_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
