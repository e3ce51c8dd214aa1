import { test, expect } from '@playwright/test';
import { createPolicy, createUser, createWorkspace, hydrated, screenshot, signIn, signInAs } from './helpers';

// The "multi-tenant isolation" scenario of our users' guide, through the
// browser only: developers of one workspace see that workspace and its
// policies, nothing of the other.
test('guide: multi-tenant isolation', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'tenant-a', 'Tenant A');
  await createWorkspace(page, 'tenant-b', 'Tenant B');
  for (const n of [1, 2, 3]) {
    await createUser(page, `tenant-user-${n}@example.com`, `Tenant user ${n}`, `tenant ${n} long password`);
  }
  await createPolicy(page, 'tenant-user-1@example.com', 'developer', 'tenant-a');
  await createPolicy(page, 'tenant-user-2@example.com', 'developer', 'tenant-a');
  await createPolicy(page, 'tenant-user-3@example.com', 'developer', 'tenant-b');

  const cases: [number, string, string, number][] = [
    [1, 'tenant-a', 'tenant-b', 2],
    [2, 'tenant-a', 'tenant-b', 2],
    [3, 'tenant-b', 'tenant-a', 1],
  ];
  for (const [n, own, other, policies] of cases) {
    await signInAs(page, `tenant-user-${n}@example.com`, `tenant ${n} long password`);
    await page.getByRole('link', { name: 'Workspaces' }).click();
    await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible();
    const rows = page.locator('table[aria-label="Workspaces"] tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-key', own);

    await page.getByRole('link', { name: 'Policies', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Policies' })).toBeVisible();
    const policyRows = page.locator('table[aria-label="Policies"] tbody tr');
    await expect(policyRows).toHaveCount(policies);
    for (const row of await policyRows.all()) {
      await expect(row).toContainText(own);
      await expect(row).not.toContainText(other);
    }
    if (n === 1) await screenshot(page, 'guide-multi-tenant');

    // The other tenant's pages are refused, not merely hidden.
    await page.goto(`/workspaces/${other}`);
    await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    await page.goto(`/policies?workspace=${other}`);
    await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    await page.goto(`/workspaces/${own}`);
    await hydrated(page);
    await expect(page.getByRole('table', { name: 'People with access' })).toContainText(`tenant-user-${n}@example.com`);
    await expect(page.getByRole('table', { name: 'People with access' })).not.toContainText(
      n === 3 ? 'tenant-user-1@example.com' : 'tenant-user-3@example.com',
    );
  }
});
