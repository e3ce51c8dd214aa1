import { expect, type Page } from '@playwright/test';
import { adminEmail, adminPassword } from '../playwright.config';

export { adminEmail, adminPassword };

/** Waits until the wasm has hydrated the page, so clicks reach Leptos. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email = adminEmail, password = adminPassword) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
}

/** Saves a screenshot for README under docs/screenshots/. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `../docs/screenshots/${name}.png`, fullPage: true });
}
