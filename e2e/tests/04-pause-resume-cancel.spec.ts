import { expect, test } from "@playwright/test";
import { setSandboxExecutionMs } from "../support/api.ts";
import { createCollection } from "../support/collections.ts";
import { countLoads, finishedWeeks, saveScreenshot, statusCount } from "../support/pages.ts";
import { sandboxExecutionMs, scenarioWeeks } from "../support/stack.ts";

// Slow executions leave time to act between the scheduler's rounds of weeks.
test.beforeEach(async () => {
  await setSandboxExecutionMs(2_500);
});

test.afterEach(async () => {
  await setSandboxExecutionMs(sandboxExecutionMs);
});

test("pause, resume and cancel", async ({ page }, testInfo) => {
  const collection = await createCollection(`e2e controls ${Date.now()}`, scenarioWeeks);
  const loads = countLoads(page);
  await page.goto(`/collections/${encodeURIComponent(collection.id)}`);
  const header = page.locator(".page-header [data-status]");

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(header).toHaveAttribute("data-status", "PAUSED");
  // Executions already running finish; after that nothing moves.
  await expect.poll(() => statusCount(page, "running"), { timeout: 20_000 }).toBe(0);
  const pausedAt = await finishedWeeks(page);
  await page.waitForTimeout(2_000);
  expect(await finishedWeeks(page)).toBe(pausedAt);
  expect(pausedAt).toBeLessThan(scenarioWeeks);
  await saveScreenshot(page, testInfo, "paused");

  await page.getByRole("button", { name: "Resume" }).click();
  await expect(header).toHaveAttribute("data-status", "ACTIVE");
  await expect.poll(() => finishedWeeks(page), { timeout: 20_000 }).toBeGreaterThan(pausedAt);

  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Yes, cancel it" }).click();
  await expect(header).toHaveAttribute("data-status", "CANCELLED");
  await expect.poll(() => statusCount(page, "running"), { timeout: 20_000 }).toBe(0);
  expect(await statusCount(page, "pending")).toBe(0);
  expect(await statusCount(page, "cancelled")).toBeGreaterThan(0);
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Cancel", exact: true })).toHaveCount(0);
  // The API can bring a cancelled collection back, so Resume stays offered.
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  await saveScreenshot(page, testInfo, "cancelled");
  expect(loads.count).toBe(1);
});
