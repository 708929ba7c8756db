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
