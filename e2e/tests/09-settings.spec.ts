import { expect, test } from "@playwright/test";
import { saveScreenshot } from "../support/pages.ts";

test("settings saves and forgets the API token", async ({ page }, testInfo) => {
  await page.goto("/settings");
  await expect(page.getByText("This browser sends no API token")).toBeVisible();

  await page.getByLabel("API token").fill("amc_example-token-for-the-settings-test");
  await page.getByRole("button", { name: "Save token" }).click();
  await expect(page.getByText("This browser sends a saved API token")).toBeVisible();
  const stored = await page.evaluate(() => window.localStorage.getItem("amc-collections.token"));
  expect(stored).toBe("amc_example-token-for-the-settings-test");
  await expect(page.getByLabel("API token")).toHaveValue("");
  await saveScreenshot(page, testInfo, "settings-saved");

  await page.getByRole("button", { name: "Forget token" }).click();
  await expect(page.getByText("This browser sends no API token")).toBeVisible();
  const cleared = await page.evaluate(() => window.localStorage.getItem("amc-collections.token"));
  expect(cleared).toBeNull();
});
