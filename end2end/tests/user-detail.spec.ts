import { test, expect } from '@playwright/test';
import { adminEmail, hydrated, screenshot, signIn } from './helpers';

test('user detail: own policies and every effective permission with the policy that grants it', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Users' }).click();
  await hydrated(page);
  await page.locator('table[aria-label="Users"] tr', { hasText: adminEmail }).getByRole('link').click();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByText(adminEmail)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Policies bound to this user' })).toContainText('admin');
  const effective = page.getByRole('table', { name: 'Effective permissions' });
  await expect(effective.locator('tr[data-permission="user:manage"]')).toContainText('admin globally');

  // In a workspace: workspace permissions come from the global admin policy
  // too, and the choice lives in the query string.
  await hydrated(page);
  await page.getByLabel('Workspace').fill('any-workspace');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/workspace=any-workspace/);
  await expect(page.getByRole('heading', { name: /in workspace any-workspace/ })).toBeVisible();
  await expect(effective.locator('tr[data-permission="endpoint:invoke"]')).toContainText('admin globally');
  await screenshot(page, 'user-detail');
});
