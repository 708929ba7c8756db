import { expect, test } from "@playwright/test";
import { saveScreenshot } from "../support/pages.ts";

test("collections page connects live", async ({ page }, testInfo) => {
  // Adds up the transferred (gzip) and decoded sizes of every script the first load fetches.
  const measurements: Promise<{ transferred: number; decoded: number }>[] = [];
  page.on("requestfinished", (request) => {
    if (request.resourceType() !== "script") return;
    measurements.push(
      (async () => ({
        transferred: (await request.sizes()).responseBodySize,
        decoded: (await (await request.response())?.body())?.length ?? 0,
      }))(),
    );
  });
  await page.goto("/collections");
  await expect(page.getByRole("heading", { name: "Collections" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  const scripts = await Promise.all(measurements);
  const transferredBytes = scripts.reduce((sum, script) => sum + script.transferred, 0);
  const decodedBytes = scripts.reduce((sum, script) => sum + script.decoded, 0);
  const transferredKiB = (transferredBytes / 1024).toFixed(1);
  const decodedKiB = (decodedBytes / 1024).toFixed(1);
  const sizes = `${transferredKiB} KiB transferred, ${decodedKiB} KiB decoded`;
  testInfo.annotations.push({ type: "first-load JS", description: sizes });
  console.log(`collections page first-load JS: ${sizes}`);
  await saveScreenshot(page, testInfo, "collections-1280");
});

for (const path of ["/collections", "/collections/new", "/workflows", "/accounts", "/settings"]) {
  test(`${path} fits a 390px screen`, async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(path);
    await expect(page.locator("h1")).toBeVisible();
    await page.waitForLoadState("networkidle");
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, testInfo, `390${path.replaceAll("/", "-")}`);
  });
}

test("controls have accessible names", async ({ page }) => {
  for (const path of [
    "/collections",
    "/collections/new",
    "/workflows",
    "/instances",
    "/accounts",
  ]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea, button")]
        .filter((element) => {
          const labelled = (element as HTMLInputElement).labels?.length ?? 0;
          const aria =
            element.getAttribute("aria-label") || element.getAttribute("aria-labelledby");
          const text = element.tagName === "BUTTON" ? element.textContent?.trim() : "";
          return labelled === 0 && !aria && !text;
        })
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(unnamed, `controls without a name on ${path}`).toEqual([]);
  }
});
