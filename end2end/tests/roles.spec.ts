import { test, expect } from '@playwright/test';
import { createPolicy, createRole, createUser, hydrated, screenshot, signIn, signInAs, rowAction } from './helpers';

test('roles page: built-ins read-only, create in the matrix with a validation error, duplicate, delete', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page.getByRole('heading', { name: 'Roles' })).toBeVisible();
  await hydrated(page);

  // A built-in role is shown, not edited.
  const admin = page.locator('tr[data-key="admin"]');
  await expect(admin).toContainText('built-in');
  await expect(admin).toContainText('1 policy');
  await expect(admin.getByRole('button', { name: 'Edit role admin', includeHidden: true })).toHaveCount(0);
  await expect(admin.getByRole('button', { name: 'Delete role admin', includeHidden: true })).toHaveCount(0);
  await rowAction(admin, 'View role admin');
  const viewer = page.getByRole('dialog', { name: 'Role admin' });
  await expect(viewer.getByRole('checkbox', { name: /^endpoint:invoke/ })).toBeChecked();
  await expect(viewer.getByRole('checkbox', { name: /^endpoint:invoke/ })).toBeDisabled();
  await viewer.getByRole('button', { name: 'Close' }).click();

  // A new role: a missing name is refused beside the field, the ticks stay.
  await page.getByRole('button', { name: 'New role' }).click();
  const editor = page.getByRole('dialog', { name: 'New role' });
  await editor.getByLabel('Key', { exact: true }).fill('endpoint-operator');
  await editor.getByRole('checkbox', { name: /^endpoint:create/ }).check();
  await editor.getByRole('checkbox', { name: /^endpoint:update/ }).check();
  await editor.getByRole('checkbox', { name: /^endpoint:delete/ }).check();
  await editor.getByRole('button', { name: 'Create role' }).click();
  await expect(editor.locator('#role-name-error')).toBeVisible();
  await expect(editor.getByLabel('Key', { exact: true })).toHaveValue('endpoint-operator');
  await expect(editor.getByRole('checkbox', { name: /^endpoint:delete/ })).toBeChecked();
  await editor.getByLabel('Name', { exact: true }).fill('Endpoint operator');
  await editor.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('status')).toContainText('Saved role endpoint-operator.');
  const created = page.locator('tr[data-key="endpoint-operator"]');
  await expect(created).toContainText('0 policies');
  await expect(created.locator('td').nth(2)).toHaveText('3');
  await screenshot(page, 'roles');

  // Duplicate a built-in as a starting point.
  await rowAction(page.locator('tr[data-key="viewer"]'), 'Duplicate role viewer');
  const copy = page.getByRole('dialog', { name: 'New role' });
  await expect(copy.getByLabel('Key', { exact: true })).toHaveValue('viewer-copy');
  await expect(copy.getByRole('checkbox', { name: /^model:read/ })).toBeChecked();
  await copy.getByRole('checkbox', { name: /^dataset:read/ }).uncheck();
  await copy.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('status')).toContainText('Saved role viewer-copy.');
  await expect(page.locator('tr[data-key="viewer-copy"]')).toContainText('Copy of');

  // Edit, then delete.
  await rowAction(page, 'Edit role viewer-copy');
  const edit = page.getByRole('dialog', { name: 'Edit role viewer-copy' });
  await expect(edit.getByRole('checkbox', { name: /^dataset:read/ })).not.toBeChecked();
  await edit.getByRole('checkbox', { name: /^dataset:read/ }).check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Saved role viewer-copy.');
  await rowAction(page, 'Delete role viewer-copy');
  await page.getByRole('dialog', { name: 'Delete role' }).getByRole('button', { name: 'Delete role' }).click();
  await expect(page.locator('tr[data-key="viewer-copy"]')).toHaveCount(0);
});

test('the role editor says what a key looks like, labels each row by where it applies, and a reader is not told to duplicate', async ({ page }) => {
  await signIn(page);
  await page.goto('/roles');
  await hydrated(page);
  await page.getByRole('button', { name: 'New role' }).click();
  const editor = page.getByRole('dialog', { name: 'New role' });
  await expect(editor.locator('#role-key-help')).toContainText('Lower-case letters, digits, dashes and underscores');
  await expect(editor.getByLabel('Key', { exact: true })).toHaveAttribute('aria-describedby', /role-key-help/);
  // The workspace row mixes workspace:create (global) with per-workspace ones.
  const workspaceRow = editor.locator('.matrix tbody tr').filter({ has: page.locator('th', { hasText: /^Workspaces/ }) });
  await expect(workspaceRow.locator('.scope-tag')).toHaveText('global and workspace');
  await expect(editor.locator('.matrix tbody tr').filter({ has: page.locator('th', { hasText: /^Inference endpoints/ }) }).locator('.scope-tag')).toHaveText('workspace');
  await editor.getByRole('button', { name: 'Cancel' }).click();

  await createRole(page, 'role-reader', 'Role reader', [/^role:read:/]);
  await createUser(page, 'role-reader@example.com', 'Rita Reader', 'role reader long password');
  await createPolicy(page, 'role-reader@example.com', 'role-reader');
  await signInAs(page, 'role-reader@example.com', 'role reader long password');
  await page.goto('/roles');
  await hydrated(page);
  await expect(page.locator('.page-intro')).not.toContainText('duplicate');
  await expect(page.getByRole('button', { name: /^Duplicate/, includeHidden: true })).toHaveCount(0);
});
