import { expect, test } from "@playwright/test";
import { countCollections, findDemoSetup } from "../support/collections.ts";
import { graphql } from "../support/api.ts";
import { parameterWorkflowName } from "../support/names.ts";
import { saveScreenshot } from "../support/pages.ts";

async function parameterWorkflowId(): Promise<string> {
  const data = await graphql<{ workflows: { nodes: { id: string; name: string }[] } }>(
    "{ workflows(first: 100) { nodes { id name } } }",
  );
  const workflow = data.workflows.nodes.find((node) => node.name === parameterWorkflowName);
  if (!workflow)
    throw new Error(`Workflow "${parameterWorkflowName}" is missing; global setup creates it.`);
  return workflow.id;
}

test("form shows server field errors", async ({ page }, testInfo) => {
  const setup = await findDemoSetup();
  const workflowId = await parameterWorkflowId();
  const before = await countCollections();

  await page.goto("/collections/new");
  await page.getByLabel("Workflow").selectOption(workflowId);
  await page.getByLabel("AMC instance").selectOption(setup.instanceId);
  // No name, a range that ends before it starts, and a decimal for an integer parameter.
  await page.getByLabel("Start date").fill("2026-06-01");
  await page.getByLabel("End date").fill("2026-05-01");
  await page.getByLabel("min_impressions").fill("1.5");
  await page.getByRole("button", { name: "Create collection" }).click();

  await expect(page.getByTestId("error-name")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  const rangeError = page.getByTestId("error-endDate").or(page.getByTestId("error-startDate"));
  await expect(rangeError.first()).toBeVisible();
  await saveScreenshot(page, testInfo, "errors");

  // With the name and range fixed, the parameter's own error remains.
  await page.getByLabel("Name").fill(`e2e invalid ${Date.now()}`);
  await page.getByLabel("End date").fill("2026-06-28");
  await page.getByRole("button", { name: "Create collection" }).click();
  await expect(page.getByTestId("error-parameter-min_impressions")).toBeVisible();
  await expect(page.getByTestId("error-name")).toHaveCount(0);
  await saveScreenshot(page, testInfo, "parameter-error");

  await expect(page).toHaveURL(/\/collections\/new$/);
  expect(await countCollections()).toBe(before);
});
