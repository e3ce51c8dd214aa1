import { test, expect } from '@playwright/test';
import { createPolicy, createUser, createWorkspace, hydrated, screenshot, signIn } from './helpers';

test('access explorer: a user in a workspace and why; who holds a permission', async ({ page }) => {
  await signIn(page);
  await createWorkspace(page, 'explore', 'Explore');
  await createUser(page, 'explorer@example.com', 'Eve Explorer', 'explorer long password');
  await createPolicy(page, 'explorer@example.com', 'endpoint-user', 'explore');

  await page.goto('/policies');
  await hydrated(page);
  await page.getByRole('link', { name: 'Access explorer' }).click();
  await expect(page.getByRole('heading', { name: 'Access explorer' })).toBeVisible();
  await hydrated(page);

  // An unknown user is named beside the field.
  await page.getByLabel('User email').fill('ghost@example.com');
  await page.getByRole('button', { name: 'Explain' }).click();
  await expect(page.locator('#explain-user-error')).toContainText('no user ghost@example.com');

  await page.getByLabel('User email').fill('explorer@example.com');
  await page.getByLabel('Workspace', { exact: true }).fill('explore');
  await page.getByRole('button', { name: 'Explain' }).click();
  await expect(page).toHaveURL(/user=explorer(%40|@)example\.com/);
  const why = page.getByRole('table', { name: 'Permissions and why' });
  await expect(why.locator('tr[data-permission="endpoint:invoke"]')).toContainText('endpoint-user in explore, directly');
  await expect(why.locator('tr[data-permission="endpoint:create"]')).toHaveCount(0);

  await page.getByLabel('Permission', { exact: true }).selectOption('endpoint:invoke');
  await page.getByLabel('In workspace').fill('explore');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/permission=endpoint(%3A|:)invoke/);
  const holders = page.getByRole('table', { name: 'Holders' });
  await expect(holders.locator('tr[data-email="explorer@example.com"]')).toBeVisible();
  await expect(holders.locator('tr[data-email="admin@example.com"]')).toContainText('admin globally');
  // The first question's answer stays on screen.
  await expect(why).toBeVisible();
  await screenshot(page, 'access-explorer');
});
