import { expect, test } from "@playwright/test";
import { saveScreenshot } from "../support/pages.ts";

test("collections page connects live", async ({ page }, testInfo) => {
  await page.goto("/collections");
  await expect(page.getByRole("heading", { name: "Collections" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await saveScreenshot(page, testInfo, "collections-1280");
});
