import { test, expect } from '@playwright/test';
import { createPolicy, hydrated, screenshot, signIn } from './helpers';

test('service accounts: create one, give it a policy, make it a token, see and revoke it as a user manager', async ({ page }) => {
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'New service account' }).click();
  const dialog = page.getByRole('dialog', { name: 'New service account' });
  await dialog.getByLabel('Key').fill('Bad Key');
  await dialog.getByLabel('Name').fill('Model deployer');
  await dialog.getByRole('button', { name: 'Create service account' }).click();
  await expect(dialog.locator('#service-key-error')).toContainText('lower-case');
  await expect(dialog.getByLabel('Name')).toHaveValue('Model deployer');
  await dialog.getByLabel('Key').fill('model-deployer');
  await dialog.getByRole('button', { name: 'Create service account' }).click();
  await expect(page.getByRole('status')).toContainText('Created the service account model-deployer@service.portcullis.local.');
  await page.getByRole('searchbox', { name: 'Search' }).fill('model-deployer');
  await page.getByRole('button', { name: 'Apply' }).click();
  const row = page.locator('tr[data-email="model-deployer@service.portcullis.local"]');
  await expect(row).toContainText('service account');

  await createPolicy(page, 'model-deployer@service.portcullis.local', 'endpoint-user');
  await page.goto('/users?q=model-deployer');
  await hydrated(page);
  await page.getByRole('link', { name: 'Model deployer' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'New token' }).click();
  const tokenDialog = page.getByRole('dialog', { name: 'New API token' });
  await tokenDialog.getByLabel('Name').fill('prod invoker');
  await tokenDialog.getByRole('button', { name: 'Make token' }).click();
  const secret = await page.getByRole('dialog', { name: 'Your new token' }).getByLabel('Token secret').inputValue();
  expect(secret).toMatch(/^pcs_/);
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await screenshot(page, 'service-account');

  const check = await page.request.post('/api/v1/authz/check', {
    headers: { authorization: `Bearer ${secret}` },
    data: { token: secret, permission: 'endpoint:invoke', workspace: 'anywhere' },
  });
  expect((await check.json()).allowed).toBe(true);

  const tokenRow = page.locator('tr[data-token="prod invoker"]');
  await tokenRow.getByRole('button', { name: 'Revoke token prod invoker' }).click();
  await expect(tokenRow).toContainText('revoked');
});
