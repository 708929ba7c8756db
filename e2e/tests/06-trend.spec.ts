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

test("week grid works by keyboard", async ({ page }) => {
  const collection = await createCollection(`e2e keyboard ${Date.now()}`, 3);
  await page.goto(`/collections/${encodeURIComponent(collection.id)}`);
  const cells = page.getByTestId("week-cell");
  await expect(cells).toHaveCount(3);

  // The grid is one Tab stop; arrows move inside it and Enter opens the focused week.
  await cells.first().focus();
  await page.keyboard.press("ArrowRight");
  await expect(cells.nth(1)).toBeFocused();
  await expect(cells.nth(1)).toHaveAttribute("tabindex", "0");
  await expect(cells.first()).toHaveAttribute("tabindex", "-1");
  await page.keyboard.press("End");
  await expect(cells.nth(2)).toBeFocused();
  const label = await cells.nth(2).getAttribute("aria-label");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/weeks\//);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(label?.split(",")[0] ?? "");
});
