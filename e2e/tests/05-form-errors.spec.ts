import { expect, test } from "@playwright/test";
import { countCollections, findDemoSetup } from "../support/collections.ts";
import { saveScreenshot } from "../support/pages.ts";

test("form shows server field errors", async ({ page }, testInfo) => {
  const setup = await findDemoSetup();
  const before = await countCollections();

  await page.goto("/collections/new");
  await page.getByLabel("Workflow").selectOption(setup.workflowId);
  await page.getByLabel("AMC instance").selectOption(setup.instanceId);
  // No name, and a range that ends before it starts.
  await page.getByLabel("Start date").fill("2026-06-01");
  await page.getByLabel("End date").fill("2026-05-01");
  await page.getByRole("button", { name: "Create collection" }).click();

  await expect(page.getByTestId("error-name")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(
    page.getByTestId("error-endDate").or(page.getByTestId("error-startDate")).first(),
  ).toBeVisible();
  await saveScreenshot(page, testInfo, "errors");

  await expect(page).toHaveURL(/\/collections\/new$/);
  expect(await countCollections()).toBe(before);
});
