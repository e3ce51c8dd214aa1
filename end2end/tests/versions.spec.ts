import { test, expect } from '@playwright/test';
import { hydrated, signIn, rowAction } from './helpers';

// Issue 14, item 3: two people edit the same role; the second save is not
// lost silently. The console shows what the other person changed, keeps
// what this person typed, and a second Save applies it over the new version.
test('versions: a role changed meanwhile shows what changed, keeps the input, and saves on reapply', async ({ page }) => {
  await signIn(page);
  const created = await page.request.post('/api/v1/roles', {
    data: { key: 'shared-role', name: 'Shared', description: '', permissions: ['endpoint:read'] },
  });
  expect(created.status()).toBe(201);

  await page.goto('/roles');
  await hydrated(page);
  await rowAction(page, 'Edit role shared-role');
  const edit = page.getByRole('dialog', { name: 'Edit role shared-role' });
  await edit.getByRole('textbox', { name: 'Description' }).fill('Mine: read models too');
  await edit.getByRole('checkbox', { name: /^model:read/ }).check();

  // Someone else saves first (another tab, a script), from the same version.
  const theirs = await page.request.patch('/api/v1/roles/shared-role', {
    headers: { 'If-Match': '"1"' },
    data: { name: 'Shared by ops', permissions: ['endpoint:read', 'endpoint:invoke'] },
  });
  expect(theirs.status()).toBe(200);

  await edit.getByRole('button', { name: 'Save changes' }).click();
  const notice = edit.locator('.stale-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Name: was “Shared”, now “Shared by ops”');
  await expect(notice).toContainText('Permissions: added endpoint:invoke');
  // Nothing typed was lost, and nothing was saved over theirs.
  await expect(edit.getByRole('textbox', { name: 'Description' })).toHaveValue('Mine: read models too');
  await expect(edit.getByRole('checkbox', { name: /^model:read/ })).toBeChecked();
  const between = await (await page.request.get('/api/v1/roles/shared-role')).json();
  expect(between.name).toBe('Shared by ops');
  expect(between.description).toBe('');

  // Saving again saves the form as it stands over the new version.
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('Saved role shared-role.');
  const after = await (await page.request.get('/api/v1/roles/shared-role')).json();
  expect(after.description).toBe('Mine: read models too');
  expect(after.name).toBe('Shared');
  expect(after.permissions).toHaveLength(2);
  expect(after.permissions).toEqual(expect.arrayContaining(['endpoint:read', 'model:read']));
  expect(after.version).toBe(3);
});

test('versions: deleting a team renamed meanwhile says so first, then deletes it as it is now', async ({ page }) => {
  await signIn(page);
  const created = await page.request.post('/api/v1/teams', { data: { key: 'moving-team', name: 'Moving' } });
  expect(created.status()).toBe(201);
  await page.goto('/teams');
  await hydrated(page);
  await page.getByRole('button', { name: 'Delete team moving-team' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete team' });
  const renamed = await page.request.patch('/api/v1/teams/moving-team', { data: { name: 'Moved' } });
  expect(renamed.status()).toBe(200);

  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.locator('.stale-notice')).toContainText('Name: was “Moving”, now “Moved”');
  expect((await page.request.get('/api/v1/teams/moving-team')).status()).toBe(200);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('were deleted');
  expect((await page.request.get('/api/v1/teams/moving-team')).status()).toBe(404);
});
