import { expect, test } from "@playwright/test";
import { cutApiConnections, restartServer, restoreApiConnections } from "../support/api.ts";
import { createCollection, finishedCount, readCollection } from "../support/collections.ts";
import { countLoads, finishedWeeks, saveScreenshot, statusCount } from "../support/pages.ts";
import { scenarioWeeks } from "../support/stack.ts";

test.afterEach(async () => {
  await restoreApiConnections();
});

test("page catches up after restart", async ({ page }, testInfo) => {
  // Run alone, this scenario meets a cold sandbox whose first weeks take tens of seconds.
  test.setTimeout(120_000);
  const collection = await createCollection(`e2e reconnect ${Date.now()}`, scenarioWeeks);
  const loads = countLoads(page);
  await page.goto(`/collections/${encodeURIComponent(collection.id)}`);
  const indicator = page.locator("header [data-phase]");
  await expect(indicator).toHaveAttribute("data-phase", "connected");
  await expect.poll(() => finishedWeeks(page), { timeout: 45_000 }).toBeGreaterThan(0);

  await cutApiConnections();
  await expect(indicator).toHaveAttribute("data-phase", "reconnecting");
  const seenBeforeRestart = await finishedWeeks(page);
  await restartServer();
  // Weeks keep changing on the server while the browser cannot reach it.
  await expect
    .poll(async () => (await readCollection(collection.id)).status, { timeout: 45_000 })
    .toMatch(/COMPLETED|FAILED/);
  await saveScreenshot(page, testInfo, "disconnected");

  await restoreApiConnections();
  await expect(indicator).toHaveAttribute("data-phase", "connected", { timeout: 20_000 });
  const server = await readCollection(collection.id);
  const finishedOnServer = finishedCount(server);
  expect(server.progress.total).toBe(scenarioWeeks);
  await expect.poll(() => finishedWeeks(page)).toBe(finishedOnServer);
  expect(finishedOnServer).toBeGreaterThan(seenBeforeRestart);
  await expect(page.locator(".page-header [data-status]")).toHaveAttribute(
    "data-status",
    server.status,
  );
  expect(await statusCount(page, "succeeded")).toBe(server.progress.succeeded);
  await expect(page.locator("[data-testid=week-cell][data-status=SUCCESS]")).toHaveCount(
    server.progress.succeeded,
  );
  await saveScreenshot(page, testInfo, "caught-up");
  expect(loads.count).toBe(1);
});
