import { test, expect } from '@playwright/test';
import { adminEmail, createWorkspace, hydrated, screenshot, signIn } from './helpers';

test('policies page: create with a validation error, filter in the query string, delete', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Policies' }).click();
  await expect(page.getByRole('heading', { name: 'Policies' })).toBeVisible();
  await hydrated(page);
  // The first admin's own global admin policy is listed.
  await expect(page.getByRole('table', { name: 'Policies' })).toContainText(adminEmail);

  await page.getByRole('button', { name: 'New policy' }).click();
  const dialog = page.getByRole('dialog', { name: 'New policy' });
  await dialog.getByLabel('Subject').fill('nobody@example.com');
  await dialog.getByLabel('Role').selectOption('viewer');
  await expect(dialog.locator('#new-policy-role-grants')).toContainText('endpoint:read');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(dialog.locator('#new-policy-subject-error')).toContainText('no user nobody@example.com');
  await expect(dialog.getByLabel('Role')).toHaveValue('viewer');

  await dialog.getByLabel('Subject').fill(adminEmail);
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.getByRole('status')).toContainText('Created policy #');

  // A filtered view lives in the query string, so it can be shared.
  // Workspaces and roles are picked from a list, not typed.
  await expect(page.getByRole('combobox', { name: 'Workspace' }).locator('option')).toContainText(['Any']);
  await page.getByRole('combobox', { name: 'Role' }).selectOption('viewer');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/role=viewer/);
  const rows = page.locator('table[aria-label="Policies"] tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('viewer');
  await screenshot(page, 'policies');

  await rows.first().getByRole('button', { name: /Delete policy/ }).click();
  await page.getByRole('dialog', { name: 'Delete policy' }).getByRole('button', { name: 'Delete policy' }).click();
  await expect(page.getByRole('status')).toContainText('The policy was deleted.');
  await expect(page.getByText('No policy matches.')).toBeVisible();
});

test('grant dialogs opened about one workspace start on that workspace, not Global', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'scoped-start', 'Scoped start');
  await page.goto('/workspaces/scoped-start');
  await hydrated(page);

  await page.getByRole('link', { name: 'All policies of this workspace' }).click();
  await expect(page).toHaveURL(/\/policies\?workspace=scoped-start/);
  await hydrated(page);
  await page.getByRole('button', { name: 'New policy' }).click();
  const policy = page.getByRole('dialog', { name: 'New policy' });
  await expect(policy.getByLabel('Scope')).toHaveValue('scoped-start');
  await policy.getByRole('button', { name: 'Cancel' }).click();

  await page.goto('/workspaces/scoped-start');
  await hydrated(page);
  await page.getByRole('link', { name: 'Invite people to this workspace' }).click();
  await expect(page).toHaveURL(/\/invitations\?workspace=scoped-start/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite people' }).click();
  await expect(page.getByRole('dialog', { name: 'Invite people' }).getByLabel('Scope')).toHaveValue('scoped-start');

  // Without a workspace in view, Global stays the first choice.
  await page.goto('/policies');
  await hydrated(page);
  await page.getByRole('button', { name: 'New policy' }).click();
  await expect(page.getByRole('dialog', { name: 'New policy' }).getByLabel('Scope')).toHaveValue('');
});
