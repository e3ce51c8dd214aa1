import { test, expect } from '@playwright/test';
import { hydrated, screenshot, signIn } from './helpers';

test('sessions: see every signed-in device and end another one from the browser', async ({ page, browser }) => {
  // A second device, signed in as the same person.
  const other = await browser.newContext({ userAgent: 'Other Device/1.0' });
  const otherPage = await other.newPage();
  await signIn(otherPage);

  await signIn(page);
  await page.getByRole('link', { name: 'My account' }).click();
  await hydrated(page);
  const sessions = page.getByRole('table', { name: 'Sessions' });
  await expect(sessions.locator('tr[data-current="true"]')).toContainText('this session');
  const theOther = sessions.locator('tr[data-current="false"]', { hasText: 'Other Device/1.0' });
  await expect(theOther).toHaveCount(1);
  await expect(theOther).toContainText('127.0.0.1');
  await screenshot(page, 'account-sessions');

  await theOther.getByRole('button', { name: /End the session/ }).click();
  await expect(page.getByRole('status')).toContainText('One session was ended.');
  await expect(theOther).toHaveCount(0);

  // The other device is signed out at once.
  await otherPage.goto('/account');
  await expect(otherPage).toHaveURL(/\/login/);
  // This one is not.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  await other.close();
});
