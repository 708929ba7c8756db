import { expect, test } from "@playwright/test";
import { countLoads, finishedWeeks, saveScreenshot } from "../support/pages.ts";
import { findDemoSetup } from "../support/collections.ts";

test("form collection completes live", async ({ page }, testInfo) => {
  const loads = countLoads(page);
  const setup = await findDemoSetup();
  const name = `e2e form ${Date.now()}`;

  await page.goto("/collections/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Workflow").selectOption(setup.workflowId);
  await page.getByLabel("AMC instance").selectOption(setup.instanceId);
  // The default range is the last 52 complete weeks; the server's preview confirms it.
  await expect(page.getByTestId("week-preview")).toContainText("52 weeks");
  await saveScreenshot(page, testInfo, "form");
  await page.getByRole("button", { name: "Create collection" }).click();

  await expect(page.getByRole("heading", { name })).toBeVisible();
  const cells = page.getByTestId("week-cell");
  await expect(cells).toHaveCount(52);

  // Progress must be seen part-way, which only live updates can show on an unreloaded page.
  await page.waitForFunction(() => {
    const value = Number(
      document.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow"),
    );
    return value > 0 && value < 52;
  });
  await saveScreenshot(page, testInfo, "running");

  await expect(page.locator(".page-header [data-status]")).toHaveAttribute(
    "data-status",
    "COMPLETED",
    {
      timeout: 45_000,
    },
  );
  await expect(page.locator("[data-testid=week-cell][data-status=SUCCESS]")).toHaveCount(52);
  expect(await finishedWeeks(page)).toBe(52);
  await expect(page.getByText("52 of 52 weeks").first()).toBeVisible();
  await saveScreenshot(page, testInfo, "completed");
  expect(loads.count).toBe(1);
});
