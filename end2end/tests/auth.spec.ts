import { test, expect } from '@playwright/test';
import { adminEmail, hydrated, screenshot, signIn } from './helpers';

test('a signed-out visitor is sent to the sign-in page', async ({ page }) => {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password is refused and the typed email stays', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('wrong email or password');
  await expect(page.getByLabel('Email')).toHaveValue(adminEmail);
  await expect(page).toHaveURL(/\/login/);
});

test('the password can be shown and hidden (the page is hydrated)', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('secret value');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');
  await screenshot(page, 'login');
});

test('sign in, see the dashboard, rename myself, sign out', async ({ page }) => {
  await signIn(page);
  await expect(page.locator('[data-stat="users"]')).toHaveText(/^[1-9][0-9]*$/);
  await expect(page.locator('[data-stat="sessions"]')).not.toHaveText('0');
  await expect(page.locator('.whoami')).toHaveText('Ada Admin');
  await screenshot(page, 'dashboard');

  await page.getByRole('link', { name: 'My account' }).click();
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  const name = page.getByLabel('Display name');
  await name.fill('   ');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('#account-name-error')).toHaveText('enter a name');
  await name.fill('Ada Lovelace');
  await expect(page.getByText(`${100 - 'Ada Lovelace'.length} characters left`)).toBeVisible();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Your name was saved.');
  await expect(page.locator('.whoami')).toHaveText('Ada Lovelace');
  await screenshot(page, 'account');

  // The theme switch is client-side only.
  const toggle = page.locator('.theme-toggle');
  const before = await toggle.getAttribute('aria-pressed');
  await toggle.click();
  await expect(toggle).not.toHaveAttribute('aria-pressed', before ?? '');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});
