import type { Page, TestInfo } from "@playwright/test";

/** Counts the page's `load` events; a client-side navigation or live update adds none. */
export function countLoads(page: Page): { readonly count: number } {
  const counter = { count: 0 };
  page.on("load", () => {
    counter.count += 1;
  });
  return counter;
}

/** Saves a full-page screenshot under the test's output folder. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

/** Returns how many weeks the collection page's progress bar shows as finished. */
export async function finishedWeeks(page: Page): Promise<number> {
  const value = await page.getByRole("progressbar").first().getAttribute("aria-valuenow");
  return Number(value);
}

/** Returns the count shown for one week status in the collection header, e.g. "failed". */
export async function statusCount(page: Page, status: string): Promise<number> {
  const text = await page
    .locator(`[data-testid=status-counts] [data-count=${status}] strong`)
    .textContent();
  return Number(text);
}
