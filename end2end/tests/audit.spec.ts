import { test, expect } from '@playwright/test';
import { adminEmail, createPolicy, createUser, hydrated, screenshot, signIn, signInAs } from './helpers';

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

  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('workspace.create');

  await page.getByRole('searchbox', { name: 'Action' }).fill('workspace.create');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=workspace.create/);
  const rows = page.locator('table[aria-label="Audit log"] tbody tr');
  await expect(rows.first()).toContainText('workspace.create');
  await expect(rows.first()).toContainText(adminEmail);
  await rows.first().getByRole('button', { name: /Show \d+ field/ }).click();
  const changes = page.locator('table[aria-label="Audit log"] tr.audit-changes').first();
  await expect(changes.locator('.diff')).toContainText('name');
  await expect(changes.locator('.diff-new').first()).toBeVisible();
  await expect(changes.locator('.diff')).toContainText('Audit demo');
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

test('audit entries read as words: users by email, times as dates, subjects by name, changes across the table', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'audited@example.com', 'Audited Person', 'audited long password');
  await createPolicy(page, 'audited@example.com', 'endpoint-user');
  await page.goto('/audit?action=policy.create');
  await hydrated(page);
  const entry = page.locator('table[aria-label="Audit log"] tbody tr[data-entry]').first();
  await entry.getByRole('button', { name: /Show \d+ field/ }).click();
  const changes = page.locator('table[aria-label="Audit log"] tr.audit-changes').first();
  await expect(changes).toContainText('user audited@example.com');
  await expect(changes).not.toContainText('user_id');
  await expect(changes).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await expect(changes).not.toContainText(/\b1\d{12}\b/);
  // The changes span the table: no longer one squeezed cell.
  const table = await page.getByRole('table', { name: 'Audit log' }).boundingBox();
  const diff = await changes.locator('.diff').boundingBox();
  expect(diff!.width).toBeGreaterThan(table!.width * 0.8);

  await page.goto('/audit?action=user.create');
  await hydrated(page);
  const created = page.locator('table[aria-label="Audit log"] tbody tr[data-entry]').first();
  await expect(created).toContainText('user audited@example.com');
  await expect(created).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-/);
});

test('no Export CSV for someone who may not read the audit log', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'no-audit@example.com', 'No Audit', 'no audit long password');
  await signInAs(page, 'no-audit@example.com', 'no audit long password');
  await page.goto('/audit');
  await hydrated(page);
  await expect(page.getByText('Not allowed')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveCount(0);
});
