import { expect, test } from "@playwright/test";
import { addSandboxFault, clearSandboxFaults } from "../support/api.ts";
import { createCollection } from "../support/collections.ts";
import { faultAmcInstanceId } from "../support/names.ts";
import { countLoads, saveScreenshot } from "../support/pages.ts";

const reason = "e2e injected failure: table dsp_impressions is unavailable";

test.afterEach(async () => {
  await clearSandboxFaults();
});

test("failed week retries to success", async ({ page }, testInfo) => {
  // The server makes one attempt per week in this suite, so one failed execution fails a week.
  await addSandboxFault({
    kind: "failExecution",
    reason,
    times: 1,
    instanceId: faultAmcInstanceId,
  });
  const collection = await createCollection(`e2e failing ${Date.now()}`, 6, {
    onFaultInstance: true,
  });
  const loads = countLoads(page);

  await page.goto(`/collections/${encodeURIComponent(collection.id)}`);
  const failedCell = page.locator("[data-testid=week-cell][data-status=FAILED]");
  await expect(failedCell).toHaveCount(1, { timeout: 30_000 });
  await expect(page.locator("[data-testid=week-row][data-status=FAILED]")).toContainText(reason);
  await expect(page.locator("[data-testid=week-cell][data-status=SUCCESS]")).toHaveCount(5);
  await saveScreenshot(page, testInfo, "collection-with-failure");

  await failedCell.click();
  await expect(page.getByTestId("week-error")).toContainText(reason);
  await expect(page.getByTestId("status-reason").first()).toContainText(reason);
  await saveScreenshot(page, testInfo, "failed-week");

  await page.getByRole("button", { name: "Retry week" }).click();
  await expect(page.getByTestId("week-status")).toHaveText("SUCCESS", { timeout: 30_000 });
  await saveScreenshot(page, testInfo, "retried-week");

  await page.getByRole("link", { name: /← / }).click();
  await expect(page.locator("[data-testid=week-cell][data-status=SUCCESS]")).toHaveCount(6);
  await expect(page.locator(".page-header [data-status]")).toHaveAttribute(
    "data-status",
    "COMPLETED",
  );
  expect(loads.count).toBe(1);
});
