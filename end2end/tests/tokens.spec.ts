import { test, expect } from '@playwright/test';
import { hydrated, screenshot, signIn } from './helpers';

test('API tokens: make one with a validation error, see the secret once, use it, revoke it', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'My account' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('');
  await dialog.getByLabel('Custom').check();
  await dialog.getByRole('button', { name: 'Make token' }).click();
  await expect(dialog.locator('#token-name-error')).toBeVisible();
  await expect(dialog.locator('#token-permissions-error')).toContainText('at least one');
  await dialog.getByLabel('Name').fill('CI deploys');
  await dialog.getByRole('radio', { name: /^Protected endpoint access/ }).check();
  await dialog.getByRole('button', { name: 'Make token' }).click();

  const secretDialog = page.getByRole('dialog', { name: 'Your new token' });
  const secret = await secretDialog.getByLabel('Token secret').inputValue();
  expect(secret).toMatch(/^pcs_[A-Za-z0-9]{40}$/);
  await screenshot(page, 'api-token-secret');
  await secretDialog.getByRole('button', { name: 'I have copied it' }).click();
  const row = page.locator('tr[data-token="CI deploys"]');
  await expect(row).toContainText('Protected endpoint access');
  await expect(row).toContainText('never');
  await expect(page.locator('body')).not.toContainText(secret);

  // The token works over REST, within its scope.
  const refused = await page.request.post('/api/v1/workspaces', {
    headers: { authorization: `Bearer ${secret}` },
    data: { key: 'from-a-token', name: 'From a token' },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('token_scope');
  const check = await page.request.post('/api/v1/authz/check', {
    headers: { authorization: `Bearer ${secret}` },
    data: { token: secret, permission: 'endpoint:invoke', workspace: 'anywhere' },
  });
  expect(check.status()).toBe(200);
  expect((await check.json()).allowed).toBe(true);
  await page.reload();
  await hydrated(page);
  await expect(row).toContainText('from 127.0.0.1');
  await screenshot(page, 'account-tokens');

  await row.getByRole('button', { name: 'Revoke token CI deploys' }).click();
  await expect(row).toContainText('revoked');
  const after = await page.request.post('/api/v1/authz/check', {
    headers: { authorization: `Bearer ${secret}` },
    data: { token: secret, permission: 'endpoint:invoke' },
  });
  expect(after.status()).toBe(401);
});

test.describe('the New API token dialog', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('shows the permission list only for a custom token, and copies the secret', async ({ page }) => {
    await signIn(page);
    await page.goto('/account');
    await hydrated(page);
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API token' });
    const permissions = dialog.getByRole('group', { name: 'Permissions' });
    // Endpoint access is the default: its permission is fixed, nothing to tick.
    await expect(dialog.getByRole('radio', { name: /^Protected endpoint access/ })).toBeChecked();
    await expect(permissions).toBeHidden();
    await dialog.getByLabel('Custom').check();
    await expect(permissions).toBeVisible();
    await permissions.getByLabel('workspace:read').check();
    // Ticked, then another scope picked: hidden and not sent.
    await dialog.getByRole('radio', { name: /^Developer operations/ }).check();
    await expect(permissions).toBeHidden();
    await dialog.getByLabel('Name').fill('copied token');
    await dialog.getByRole('button', { name: 'Make token' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Your new token' });
    const secret = await secretDialog.getByLabel('Token secret').inputValue();
    await secretDialog.getByRole('button', { name: 'Copy the secret' }).click();
    await expect(secretDialog.getByRole('status')).toHaveText('Copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await secretDialog.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.locator('tr[data-token="copied token"]')).toContainText('Developer operations');
  });
});
