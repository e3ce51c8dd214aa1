import { test, expect } from '@playwright/test';
import { createPolicy, createUser, createWorkspace, hydrated, screenshot, signIn } from './helpers';

test('workspace page: policies, people with access, edit with a validation error, delete', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'vision', 'Vision models');
  await createUser(page, 'vision-dev@example.com', 'Vic Vision', 'vision long password');
  await createPolicy(page, 'vision-dev@example.com', 'developer', 'vision');

  await page.goto('/workspaces');
  await hydrated(page);
  await page.getByRole('link', { name: 'vision', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Vision models' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Policies in this workspace' })).toContainText('vision-dev@example.com');
  const people = page.getByRole('table', { name: 'People with access' });
  await expect(people.locator('tr[data-email="vision-dev@example.com"]')).toContainText('developer in vision, directly');
  await expect(people.locator('tr[data-email="admin@example.com"]')).toContainText('admin globally');
  await screenshot(page, 'workspace-detail');

  await page.getByRole('button', { name: 'Edit workspace' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit workspace' });
  await edit.getByLabel('Name').fill('');
  await edit.getByLabel('Description').fill('Image classification');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.locator('#edit-workspace-name-error')).toBeVisible();
  await expect(edit.getByLabel('Description')).toHaveValue('Image classification');
  await edit.getByLabel('Name').fill('Vision');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved workspace vision.');
  await expect(page.getByRole('heading', { name: 'Vision', exact: true })).toBeVisible();
  await expect(page.getByText('Image classification')).toBeVisible();

  await page.getByRole('button', { name: 'Delete workspace' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete workspace' });
  await expect(confirm.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await confirm.getByLabel('Workspace key').fill('vision');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/workspaces$/);
  await expect(page.locator('tr[data-key="vision"]')).toHaveCount(0);
});
