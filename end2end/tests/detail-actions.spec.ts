import { test, expect } from '@playwright/test';
import { createUser, createWorkspace, hydrated, signIn, createTeam } from './helpers';

// Grants are made where the page is about the subject or the workspace,
// with the dialog already set to it; no trip to the Policies page.

test('a workspace page adds members in that workspace and revokes them', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'act-ws', 'Acting workspace');
  await createUser(page, 'act-member@example.com', 'Ann Member', 'act member long password');
  await page.goto('/workspaces/act-ws');
  await hydrated(page);
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'New policy' });
  await expect(dialog.getByLabel('Scope')).toHaveValue('act-ws');
  await dialog.getByLabel('Subject').fill('act-member@example.com');
  await dialog.getByLabel('Role').selectOption('developer');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.locator('.toasts')).toContainText('Created policy #');
  const policies = page.getByRole('region', { name: 'Policies in this workspace' });
  await expect(policies).toContainText('act-member@example.com');
  await expect(page.getByRole('table', { name: 'People with access' })).toContainText('act-member@example.com');

  const row = policies.locator('li', { hasText: 'act-member@example.com' });
  await row.getByRole('button', { name: /Delete policy/ }).click();
  await page.getByRole('dialog', { name: 'Delete policy' }).getByRole('button', { name: 'Delete policy' }).click();
  await expect(page.locator('.toasts')).toContainText('The policy was deleted.');
  await expect(policies).not.toContainText('act-member@example.com');
});

test('a user page grants to that user, and says where a workspace-only user has access', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'act-only', 'Only here');
  await createUser(page, 'act-user@example.com', 'Ulla User', 'act user long password');
  await page.goto('/users?q=act-user');
  await hydrated(page);
  await page.getByRole('link', { name: 'Ulla User' }).click();
  await expect(page.getByRole('heading', { name: 'Ulla User' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Grant access' }).click();
  const dialog = page.getByRole('dialog', { name: 'New policy' });
  await expect(dialog.getByLabel('Subject')).toHaveValue('act-user@example.com');
  await expect(dialog.getByLabel('Subject')).toHaveAttribute('readonly', '');
  await dialog.getByLabel('Role').selectOption('endpoint-user');
  await dialog.getByLabel('Scope').selectOption('act-only');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.locator('.toasts')).toContainText('Created policy #');
  await expect(page.getByRole('region', { name: 'Policies bound to this user' })).toContainText('act-only');
  // Globally they hold nothing: the page says where they do.
  const notice = page.locator('[data-places="workspaces"]');
  await expect(notice).toContainText('act-only');
  await notice.getByRole('link', { name: 'act-only' }).click();
  await expect(page).toHaveURL(/workspace=act-only/);
  await expect(page.getByRole('table', { name: 'Effective permissions' }).locator('tr[data-permission="endpoint:invoke"]')).toBeVisible();
});

test('a team page grants to the team', async ({ page }) => {
  await signIn(page);
  await createTeam(page, 'act-team', 'Acting team');
  await page.goto('/teams/act-team');
  await hydrated(page);
  await page.getByRole('button', { name: 'Grant access' }).click();
  const dialog = page.getByRole('dialog', { name: 'New policy' });
  await expect(dialog.getByLabel('Subject')).toHaveValue('team:act-team');
  await dialog.getByLabel('Role').selectOption('endpoint-user');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(page.locator('.toasts')).toContainText('Created policy #');
  await expect(page.getByRole('region', { name: 'Policies of this team' })).toContainText('endpoint-user');
});
