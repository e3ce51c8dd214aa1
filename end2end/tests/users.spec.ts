import { test, expect } from '@playwright/test';
import { hydrated, screenshot, signIn, rowAction } from './helpers';

test('users page: create with a validation error, search, disable, enable, delete', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await hydrated(page);

  // A bad email is refused in the dialog, and what was typed stays.
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill('not-an-email');
  await dialog.getByLabel('Name').fill('Grace Hopper');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.locator('#new-user-email-error')).toContainText('name@example.com');
  await expect(dialog.getByLabel('Name')).toHaveValue('Grace Hopper');

  await dialog.getByLabel('Email').fill('grace@example.com');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText('Created grace@example.com.');
  await expect(dialog).toBeHidden();
  const row = page.locator('tr[data-email="grace@example.com"]');
  await expect(row).toContainText('active');

  // Search lives in the query string.
  await page.getByLabel('Search').fill('hopper');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=hopper/);
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await screenshot(page, 'users');

  await rowAction(row, 'Disable grace@example.com');
  await expect(row).toContainText('disabled');
  await rowAction(row, 'Enable grace@example.com');
  await expect(row).toContainText('active');

  await rowAction(row, 'Delete grace@example.com');
  const confirm = page.getByRole('dialog', { name: 'Delete user' });
  await expect(confirm).toContainText('grace@example.com');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('The user was deleted.');
  await expect(page.locator('tr[data-email="grace@example.com"]')).toHaveCount(0);
});

test('the last administrator cannot disable themselves', async ({ page }) => {
  await signIn(page);
  await page.goto('/users?q=admin%40example.com');
  await hydrated(page);
  const row = page.locator('tr[data-email="admin@example.com"]');
  await rowAction(row, 'Disable admin@example.com');
  await expect(page.getByRole('status')).toContainText('no active administrator');
  await expect(row).toContainText('active');
});
