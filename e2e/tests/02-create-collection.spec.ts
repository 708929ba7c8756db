import { expect, test } from "@playwright/test";
import { findDemoSetup } from "../support/collections.ts";
import { countLoads, finishedWeeks, saveScreenshot } from "../support/pages.ts";
import { scenarioWeeks } from "../support/stack.ts";

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  return new Date(date.getTime() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

test("form collection completes live", async ({ page }, testInfo) => {
  // The sandbox may still be computing these weeks for the first time on a busy machine.
  test.setTimeout(90_000);
  const loads = countLoads(page);
  const setup = await findDemoSetup();
  const name = `e2e form ${Date.now()}`;

  await page.goto("/collections/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Workflow").selectOption(setup.workflowId);
  await page.getByLabel("AMC instance").selectOption(setup.instanceId);
  // The default range is the last 52 complete weeks; the server's preview confirms it.
  const preview = page.getByTestId("week-preview");
  await expect(preview).toContainText("52 weeks");
  await saveScreenshot(page, testInfo, "form-default");

  // A shorter range keeps the run short; the preview follows the new start date.
  const endDate = await page.getByLabel("End date").inputValue();
  await page.getByLabel("Start date").fill(addDays(endDate, -(scenarioWeeks * 7) + 1));
  await expect(preview).toContainText(`${scenarioWeeks} weeks`);
  await page.getByRole("button", { name: "Create collection" }).click();

  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("week-cell")).toHaveCount(scenarioWeeks);

  // Progress must be seen part-way, which only live updates can show on an unreloaded page.
  await page.waitForFunction((total) => {
    const value = Number(
      document.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow"),
    );
    return value > 0 && value < total;
  }, scenarioWeeks);
  await saveScreenshot(page, testInfo, "running");

  const header = page.locator(".page-header [data-status]");
  await expect(header).toHaveAttribute("data-status", "COMPLETED", { timeout: 45_000 });
  const succeeded = page.locator("[data-testid=week-cell][data-status=SUCCESS]");
  await expect(succeeded).toHaveCount(scenarioWeeks);
  expect(await finishedWeeks(page)).toBe(scenarioWeeks);
  await expect(page.getByText(`${scenarioWeeks} of ${scenarioWeeks} weeks`).first()).toBeVisible();
  await saveScreenshot(page, testInfo, "completed");
  expect(loads.count).toBe(1);
});
