import { test, expect } from '@playwright/test';
import { adminEmail, hydrated, screenshot, signIn } from './helpers';

test('audit page: newest first, filter by action in the query string, diff, CSV export of the filtered view', async ({ page }) => {
  await signIn(page);
  // A change to find: a workspace created through its page.
  await page.getByRole('link', { name: 'Workspaces' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'New workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workspace' });
  await dialog.getByLabel('Key').fill('audit-demo');
  await dialog.getByLabel('Name').fill('Audit demo');
  await dialog.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByRole('status')).toContainText('Created workspace audit-demo.');

  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('workspace.create');

  await page.getByRole('searchbox', { name: 'Action' }).fill('workspace.create');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=workspace.create/);
  const rows = page.locator('table[aria-label="Audit log"] tbody tr');
  await expect(rows.first()).toContainText('workspace.create');
  await expect(rows.first()).toContainText(adminEmail);
  await rows.first().getByText(/field/).click();
  await expect(rows.first().locator('.diff')).toContainText('name');
  await expect(rows.first().locator('.diff-new').first()).toBeVisible();
  await expect(rows.first().locator('.diff')).toContainText('Audit demo');
  await screenshot(page, 'audit');

  const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  expect(href).toContain('action=workspace.create');
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain('workspace.create');
  expect(text).not.toContain('session.');
  expect(text).not.toContain('role.create');

  // A date that does not exist is refused with a reason, not ignored.
  await page.goto('/audit?since=2026-02-30');
  await expect(page.getByText('is not a date')).toBeVisible();
});
