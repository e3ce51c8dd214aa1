import { test, expect } from '@playwright/test';
import { hydrated, signIn } from './helpers';

test('a user made without a password gets a one-time one, and chooses their own at first sign-in', async ({ page, browser }) => {
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill('no-password@example.com');
  await dialog.getByLabel('Name').fill('Nora Password');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('.toasts')).toContainText('Created no-password@example.com.');

  await page.getByRole('link', { name: 'Nora Password' }).click();
  await expect(page.getByRole('heading', { name: 'Nora Password' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Set a one-time password' }).click();
  const set = page.getByRole('dialog', { name: 'Set a one-time password' });
  await set.getByLabel('One-time password').fill('short');
  await set.getByRole('button', { name: 'Set password' }).click();
  await expect(set.locator('#one-time-password-error')).toContainText('at least 10 characters');
  await expect(set.getByLabel('One-time password')).toBeFocused();
  await set.getByLabel('One-time password').fill('handed over once');
  await set.getByRole('button', { name: 'Set password' }).click();
  await expect(page.locator('.toasts')).toContainText('no-password@example.com has a one-time password');

  const context = await browser.newContext();
  const nora = await context.newPage();
  await nora.goto('/login');
  await hydrated(nora);
  await nora.getByLabel('Email').fill('no-password@example.com');
  await nora.getByLabel('Password', { exact: true }).fill('handed over once');
  await nora.getByRole('button', { name: 'Sign in' }).click();
  const own = nora.getByLabel('New password');
  await expect(nora.locator('#login-new-password-error')).toContainText('choose a new password');
  await expect(own).toBeFocused();
  await own.fill('handed over once');
  await nora.getByRole('button', { name: 'Sign in' }).click();
  await expect(nora.locator('#login-new-password-error')).toContainText('other than the one you were given');
  await own.fill('nora chose this one');
  await nora.getByRole('button', { name: 'Sign in' }).click();
  await expect(nora.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await context.close();
});
