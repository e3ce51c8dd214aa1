import { expect, type Locator, type Page } from '@playwright/test';
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

/** Signs out by dropping the session cookie, then signs in as someone else. */
export async function signInAs(page: Page, email: string, password: string) {
  await page.context().clearCookies();
  await signIn(page, email, password);
}

/** Creates a user with a password through the Users page. */
export async function createUser(page: Page, email: string, name: string, password: string) {
  await page.goto('/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Password (optional)').fill(password);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText(`Created ${email}.`);
}

/** Creates a workspace or a team (a key and a name) through its page's dialog. */
async function createKeyed(page: Page, noun: 'workspace' | 'team', key: string, name: string) {
  await page.goto(`/${noun}s`);
  await hydrated(page);
  await page.getByRole('button', { name: `New ${noun}` }).click();
  const dialog = page.getByRole('dialog', { name: `New ${noun}` });
  await dialog.getByLabel('Key').fill(key);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: `Create ${noun}` }).click();
  // The toast region (role status; a page may hold other status elements).
  await expect(page.locator('.toasts')).toContainText(`Created ${noun} ${key}.`);
}

/** Creates a workspace through the Workspaces page. */
export const createWorkspace = (page: Page, key: string, name: string) => createKeyed(page, 'workspace', key, name);

/** Creates a team through the Teams page. */
export const createTeam = (page: Page, key: string, name: string) => createKeyed(page, 'team', key, name);

/** Binds `role` to `subject` (an email or team:key), globally or in `workspace`. */
export async function createPolicy(page: Page, subject: string, role: string, workspace = '') {
  await page.goto('/policies');
  await hydrated(page);
  await page.getByRole('button', { name: 'New policy' }).click();
  const dialog = page.getByRole('dialog', { name: 'New policy' });
  await dialog.getByLabel('Subject').fill(subject);
  await dialog.getByLabel('Role').selectOption(role);
  await dialog.getByLabel('Scope').selectOption(workspace);
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.getByRole('status')).toContainText('Created policy #');
}

/** Creates a custom role through the Roles page's matrix. */
export async function createRole(page: Page, key: string, name: string, permissions: RegExp[]) {
  await page.goto('/roles');
  await hydrated(page);
  await page.getByRole('button', { name: 'New role' }).click();
  const editor = page.getByRole('dialog', { name: 'New role' });
  await editor.getByLabel('Key', { exact: true }).fill(key);
  await editor.getByLabel('Name', { exact: true }).fill(name);
  for (const permission of permissions) {
    const boxes = editor.getByRole('checkbox', { name: permission });
    for (const box of await boxes.all()) await box.check();
  }
  await editor.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('status')).toContainText(`Saved role ${key}.`);
}

/** Chooses `action` in its row's Actions menu (components::RowMenu). */
export async function rowAction(scope: Page | Locator, action: string) {
  const button = scope.getByRole('button', { name: action, exact: true, includeHidden: true });
  await button.locator('xpath=ancestor::td[1]').getByRole('button', { name: /^Actions for / }).click();
  await button.click();
}
