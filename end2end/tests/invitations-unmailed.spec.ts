import { test, expect } from '@playwright/test';
import { unmailedPort } from '../playwright.config';
import { hydrated, signIn, rowAction } from './helpers';

// This console has no SMTP: nothing is sent, so nothing may say it was.
test.use({ baseURL: `http://127.0.0.1:${unmailedPort}` });

test('without SMTP the console makes links instead of sending them, and asks before replacing one', async ({ page }) => {
  await signIn(page);
  await page.goto('/invitations');
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite people' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite people' });
  await expect(dialog.getByRole('button', { name: 'Send invitations' })).toHaveCount(0);
  await dialog.getByLabel('Emails').fill('unmailed@example.com');
  await dialog.getByLabel('Role').selectOption('developer');
  await dialog.getByRole('button', { name: 'Create invitation links' }).click();
  const toasts = page.locator('.toasts');
  await expect(toasts).toContainText('Made invitation links for unmailed@example.com: copy them from the list');
  await expect(toasts).not.toContainText('Invited');

  const row = page.locator('tr[data-email="unmailed@example.com"]');
  await expect(row).toContainText('not mailed (no SMTP): copy the link');
  const link = row.getByRole('textbox', { name: 'Invitation link for unmailed@example.com' });
  const first = await link.inputValue();
  expect(first).toContain('/invite/');

  // A new link kills the one already passed on: only after saying so.
  await rowAction(row, 'Renew the link of unmailed@example.com');
  const confirm = page.getByRole('dialog', { name: 'New invitation link' });
  await expect(confirm).toContainText('stops working at once');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(link).toHaveValue(first);

  await rowAction(row, 'Renew the link of unmailed@example.com');
  await confirm.getByRole('button', { name: 'Make a new link' }).click();
  await expect(toasts).toContainText('Made a new link for unmailed@example.com');
  await expect(toasts).not.toContainText('Sent a new link');
  await expect(link).not.toHaveValue(first);
});
