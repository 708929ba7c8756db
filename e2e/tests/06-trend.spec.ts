import { expect, test } from "@playwright/test";
import { createCollection } from "../support/collections.ts";
import { saveScreenshot } from "../support/pages.ts";

test("trend chart plots completed weeks", async ({ page }, testInfo) => {
  const weeks = 8;
  const collection = await createCollection(`e2e trend ${Date.now()}`, weeks);
  await page.goto(`/collections/${encodeURIComponent(collection.id)}`);
  await expect(page.locator(".page-header [data-status]")).toHaveAttribute(
    "data-status",
    "COMPLETED",
    {
      timeout: 30_000,
    },
  );

  const panel = page.getByTestId("trend-panel");
  await expect(panel.getByLabel("Metric")).not.toHaveValue("");
  await expect(panel.locator("[data-series] [data-testid=trend-point]")).toHaveCount(weeks);
  await expect(panel.getByTestId("trend-gap")).toHaveCount(0);
  await panel.scrollIntoViewIfNeeded();
  await saveScreenshot(page, testInfo, "trend");

  await panel.getByLabel("Aggregate").selectOption("MAX");
  await expect(panel.locator("[data-series] [data-testid=trend-point]")).toHaveCount(weeks);
  await expect(page.getByTestId("compare-panel").locator("table")).toContainText(
    "Change from A to B",
  );
});
