import { expect, test } from "@playwright/test";
import { graphql } from "../support/api.ts";
import { saveScreenshot } from "../support/pages.ts";

test("account, instance and workflow forms", async ({ page }, testInfo) => {
  const suffix = Date.now();
  const accountName = `e2e account ${suffix}`;

  await page.goto("/accounts");
  await page.getByRole("button", { name: "New account" }).click();
  const accountForm = page.getByRole("form", { name: "New account" });
  await accountForm.getByLabel("Name").fill(accountName);
  await accountForm.getByLabel("Entity id (advertiser id)").fill("ENTITYE2E1");
  await accountForm.getByLabel("Marketplace id").fill("ATVPDKIKX0DER");
  await accountForm.getByLabel("Client id").fill("amzn1.application-oa2-client.e2e");
  await accountForm.getByLabel("Client secret").fill("e2e-client-secret-value");
  await accountForm.getByLabel("Refresh token").fill("Atzr|e2e-refresh-token-value");
  await accountForm.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("cell", { name: accountName, exact: true })).toBeVisible();

  // Credentials are write-only: the edit form starts empty and the page never shows them.
  await page.getByRole("button", { name: `Edit ${accountName}` }).click();
  const editForm = page.getByRole("form", { name: `Edit ${accountName}` });
  await expect(editForm.getByLabel("Client secret")).toHaveValue("");
  await expect(editForm.getByLabel("Refresh token")).toHaveValue("");
  expect(await page.content()).not.toContain("e2e-client-secret-value");
  await editForm.getByLabel("Marketplace id").fill("A1PA6795UKMFR9");
  await editForm.getByRole("button", { name: "Save account" }).click();
  await expect(page.getByRole("cell", { name: "A1PA6795UKMFR9", exact: true })).toBeVisible();
  await saveScreenshot(page, testInfo, "accounts");

  const instanceName = `e2e instance ${suffix}`;
  await page.goto("/instances");
  await page.getByRole("button", { name: "New instance" }).click();
  const instanceForm = page.getByRole("form", { name: "New instance" });
  await instanceForm.getByLabel("Name").fill(instanceName);
  await instanceForm.getByLabel("AMC instance id").fill(`amce2e${suffix}`);
  await instanceForm.getByLabel("Account").selectOption({ label: accountName });
  await instanceForm.getByRole("button", { name: "Create instance" }).click();
  await expect(page.getByRole("cell", { name: instanceName, exact: true })).toBeVisible();

  const workflowName = `e2e workflow ${suffix}`;
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  const workflowForm = page.getByRole("form", { name: "New workflow" });
  await workflowForm.getByLabel("Name").fill(workflowName);
  await workflowForm.getByRole("button", { name: "Add parameter" }).click();
  await workflowForm.getByLabel("Name", { exact: true }).nth(1).fill("min_impressions");
  await workflowForm.getByLabel("Type").selectOption("INTEGER");
  await workflowForm.getByLabel("Default").fill("10");
  await workflowForm.getByRole("button", { name: "Create workflow" }).click();
  await expect(page.getByText(workflowName)).toBeVisible();
  await saveScreenshot(page, testInfo, "workflows");

  const stored = await graphql<{
    workflows: { nodes: { name: string; parameters: { name: string; type: string }[] }[] };
  }>("{ workflows(first: 100) { nodes { name parameters { name type } } } }");
  const workflow = stored.workflows.nodes.find((node) => node.name === workflowName);
  expect(workflow?.parameters).toEqual([{ name: "min_impressions", type: "INTEGER" }]);
});
