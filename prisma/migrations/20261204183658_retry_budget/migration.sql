-- AlterTable
ALTER TABLE "Week" ADD COLUMN     "retriedAtAttempt" INTEGER NOT NULL DEFAULT 0;
