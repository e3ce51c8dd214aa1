import { test, expect } from '@playwright/test';
import { hydrated, screenshot, signIn } from './helpers';

test('workspaces page: create with a validation error, delete after typing the key', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Workspaces' }).click();
  await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible();
  await hydrated(page);

  await page.getByRole('button', { name: 'New workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workspace' });
  await dialog.getByLabel('Key').fill('ML Prod');
  await dialog.getByLabel('Name').fill('ML production');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(dialog.locator('#new-workspace-key-error')).toContainText('lower-case');
  await expect(dialog.getByLabel('Name')).toHaveValue('ML production');
  await dialog.getByLabel('Key').fill('ml-prod');
  await dialog.getByLabel('Description').fill('Serving models to customers');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByRole('status')).toContainText('Created workspace ml-prod.');
  const row = page.locator('tr[data-key="ml-prod"]');
  await expect(row).toContainText('ML production');
  await screenshot(page, 'workspaces');

  await row.getByRole('button', { name: 'Delete workspace ml-prod' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete workspace' });
  const remove = confirm.getByRole('button', { name: 'Delete' });
  await expect(remove).toBeDisabled();
  await confirm.getByLabel('Workspace key').fill('ml-pro');
  await expect(remove).toBeDisabled();
  await confirm.getByLabel('Workspace key').fill('ml-prod');
  await remove.click();
  await expect(page.getByRole('status')).toContainText('were deleted');
  await expect(page.locator('tr[data-key="ml-prod"]')).toHaveCount(0);
});
