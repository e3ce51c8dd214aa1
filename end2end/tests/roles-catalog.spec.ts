import { test, expect } from '@playwright/test';
import { adaptivePort } from '../playwright.config';
import { hydrated, signIn, rowAction } from './helpers';

// This console runs Adaptive Engine's catalog: its roles and its matrix
// come from catalogs/adaptive.toml, not from Neutree's.
test.use({ baseURL: `http://127.0.0.1:${adaptivePort}` });

test('under the adaptive preset the Roles matrix shows use cases, Adaptive roles and aliases', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await signIn(page);
  await page.goto('/roles');
  await hydrated(page);

  // Adaptive's roles, built in; none of Neutree's.
  for (const key of ['admin', 'platform_admin', 'power_user', 'read-only', 'inference', 'annotator']) {
    await expect(page.locator(`tr[data-key="${key}"]`)).toContainText('built-in');
  }
  await expect(page.locator('tr[data-key="developer"]')).toHaveCount(0);

  // A power user: every use-case action but sharing, datasets and metrics.
  await rowAction(page.locator('tr[data-key="power_user"]'), 'View role power_user');
  const viewer = page.getByRole('dialog', { name: 'Role power_user' });
  const matrix = viewer.getByRole('table', { name: 'Permissions' });
  await expect(matrix.getByRole('rowheader', { name: /Use cases/ })).toContainText('use_case');
  await expect(matrix.getByRole('rowheader', { name: /Use cases/ })).toContainText('workspace');
  for (const action of ['manage_models', 'adapt', 'evaluate', 'add_feedback', 'read_interactions']) {
    await expect(matrix.getByRole('columnheader', { name: action, exact: true })).toBeVisible();
    await expect(viewer.getByRole('checkbox', { name: new RegExp(`^use_case:${action}:`) })).toBeChecked();
  }
  await expect(viewer.getByRole('checkbox', { name: /^use_case:share:/ })).not.toBeChecked();
  await expect(viewer.getByRole('checkbox', { name: /^dataset:create:/ })).toBeChecked();
  await expect(viewer.getByRole('checkbox', { name: /^model:manage_models:/ })).not.toBeChecked();
  await expect(viewer.getByRole('checkbox', { name: /^use_case:adapt:/ })).toBeDisabled();
  // Neutree's resources are not there.
  await expect(viewer.getByRole('checkbox', { name: /^endpoint:/ })).toHaveCount(0);
  await viewer.getByRole('button', { name: 'Close' }).click();

  // Adaptive's names for Portcullis's own permissions, beside the real key.
  await rowAction(page.locator('tr[data-key="platform_admin"]'), 'View role platform_admin');
  const platform = page.getByRole('dialog', { name: 'Role platform_admin' });
  const userManage = platform.getByRole('checkbox', { name: /^user:manage:/ });
  await expect(userManage).toBeChecked();
  await expect(userManage).toHaveAccessibleName(/also admin:manage_users/);
  await expect(platform.locator('.alias-tag', { hasText: 'admin:manage_users' })).toBeVisible();
  await expect(platform.locator('.alias-tag', { hasText: 'admin:manage_roles' })).toBeVisible();
  await expect(platform.getByRole('checkbox', { name: /^use_case:read:/ })).not.toBeChecked();
  await platform.getByRole('button', { name: 'Close' }).click();

  // A custom role from the same catalog.
  await page.getByRole('button', { name: 'New role' }).click();
  const editor = page.getByRole('dialog', { name: 'New role' });
  await editor.getByLabel('Key', { exact: true }).fill('evaluator');
  await editor.getByLabel('Name', { exact: true }).fill('Evaluator');
  await editor.getByRole('checkbox', { name: /^use_case:read:/ }).check();
  await editor.getByRole('checkbox', { name: /^use_case:evaluate:/ }).check();
  await editor.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('status')).toContainText('Saved role evaluator.');
  await expect(page.locator('tr[data-key="evaluator"] td').nth(2)).toHaveText('2');
  expect(problems, 'no error while hydrating under another catalog').toEqual([]);
});
