import { test, expect } from '@playwright/test';
import { createPolicy, createUser, hydrated, screenshot, signIn } from './helpers';

test('teams page: create with a validation error, add members by type-ahead, team policies, remove, delete', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'team-member@example.com', 'Tess Member', 'tess long password');
  await page.getByRole('link', { name: 'Teams' }).click();
  await expect(page.getByRole('heading', { name: 'Teams' })).toBeVisible();
  await hydrated(page);

  await page.getByRole('button', { name: 'New team' }).click();
  const dialog = page.getByRole('dialog', { name: 'New team' });
  await dialog.getByLabel('Key').fill('ML Eng');
  await dialog.getByLabel('Name').fill('ML engineers');
  await dialog.getByRole('button', { name: 'Create team' }).click();
  await expect(dialog.locator('#new-team-key-error')).toContainText('lower-case');
  await expect(dialog.getByLabel('Name')).toHaveValue('ML engineers');
  await dialog.getByLabel('Key').fill('ml-eng');
  await dialog.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('status')).toContainText('Created team ml-eng.');
  await expect(page.locator('tr[data-key="ml-eng"]')).toContainText('ML engineers');

  // Search lives in the query string.
  await page.getByRole('searchbox', { name: 'Search' }).fill('engineers');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=engineers/);
  await expect(page.locator('table[aria-label="Teams"] tbody tr')).toHaveCount(1);

  await createPolicy(page, 'team:ml-eng', 'viewer');
  await page.goto('/teams/ml-eng');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'ML engineers' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Policies of this team' })).toContainText('viewer');

  // The picker offers matching users as you type; an unknown email is refused beside the field.
  const picker = page.getByLabel('Add a member');
  await picker.fill('nobody@example.com');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.locator('#add-member-email-error')).toContainText('no user nobody@example.com');
  await expect(picker).toHaveValue('nobody@example.com');
  await picker.fill('tess');
  await expect(page.locator('#member-options option[value="team-member@example.com"]')).toHaveCount(1);
  await picker.fill('team-member@example.com');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('team-member@example.com is now a member of the team.');
  const member = page.locator('tr[data-email="team-member@example.com"]');
  await expect(member).toContainText('member');
  await screenshot(page, 'team-detail');

  // Edit keeps the key.
  await page.getByRole('button', { name: 'Edit team' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit team' });
  await expect(edit.getByLabel('Name')).toHaveValue('ML engineers');
  await edit.getByLabel('Name').fill('Machine learning');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Machine learning' })).toBeVisible();
  // Reported once, though the page (and its dialog) re-rendered after it.
  await expect(page.locator('.toast', { hasText: 'Saved team ml-eng.' })).toHaveCount(1);

  await member.getByRole('button', { name: 'Remove team-member@example.com' }).click();
  await page.getByRole('dialog', { name: 'Remove member' }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('status')).toContainText('The member was removed.');
  await expect(member).toHaveCount(0);
  await expect(page.locator('.toast', { hasText: 'The member was removed.' })).toHaveCount(1);

  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Teams' }).click();
  await hydrated(page);
  await screenshot(page, 'teams');
  await page.getByRole('button', { name: 'Delete team ml-eng' }).click();
  await page.getByRole('dialog', { name: 'Delete team' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('were deleted');
  await expect(page.locator('tr[data-key="ml-eng"]')).toHaveCount(0);
});
