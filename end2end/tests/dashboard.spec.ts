import { test, expect } from '@playwright/test';
import { createUser, hydrated, signIn } from './helpers';

test('the dashboard lists what needs attention, each linking to where it is fixed', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'dash-idle@example.com', 'Dana Idle', 'dash idle long password');
  await page.goto('/');
  await hydrated(page);
  const attention = page.getByRole('region', { name: 'Needs attention' });
  const noAccess = attention.locator('[data-attention="no-access"]');
  await expect(noAccess).toContainText('with no policy');
  await noAccess.getByRole('link', { name: 'dash-idle@example.com' }).click();
  await expect(page.getByRole('heading', { name: 'Dana Idle' })).toBeVisible();

  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Latest changes' })).toContainText('user.create');
});
