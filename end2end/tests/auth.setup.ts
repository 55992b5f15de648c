import { test as setup, expect } from "@playwright/test";
import { ACCOUNTS, VIEWER_STATE } from "../playwright.config";

setup("sign in as a viewer", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F|\/login\?next=\//);
  await page.getByLabel("User name").fill("viewer");
  await page.getByLabel("Password").fill(ACCOUNTS.viewer);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText("viewer");
  await page.context().storageState({ path: VIEWER_STATE });
});
