import { test, expect } from '@playwright/test';
import { createPolicy, createRole, createUser, hydrated, screenshot, signIn, signInAs } from './helpers';

// The "separation of duties" scenario of our users' guide, through the
// browser only: a Developer may change endpoints, an Auditor may read
// everything and change nothing.
test('guide: separation of duties', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'sod-a@example.com', 'Alice Developer', 'alice long password');
  await createUser(page, 'sod-b@example.com', 'Bob Auditor', 'bob long password');
  await createRole(page, 'sod-developer', 'Endpoint developer', [/^endpoint:(create|update|delete):/]);
  await createRole(page, 'sod-auditor', 'Read-only auditor', [/^[a-z]+:read:/]);
  await createPolicy(page, 'sod-a@example.com', 'sod-developer');
  await createPolicy(page, 'sod-b@example.com', 'sod-auditor');

  // Signed in as B: everything can be read, and no control to change anything is offered.
  await signInAs(page, 'sod-b@example.com', 'bob long password');
  const readOnlyPages: [string, string, string][] = [
    ['/users', 'Users', 'New user'],
    ['/workspaces', 'Workspaces', 'New workspace'],
    ['/teams', 'Teams', 'New team'],
    ['/roles', 'Roles', 'New role'],
    ['/policies', 'Policies', 'New policy'],
  ];
  for (const [path, heading, create] of readOnlyPages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    await hydrated(page);
    await expect(page.getByRole('button', { name: create })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^(Delete|Disable|Rename|Edit|Duplicate)/, includeHidden: true })).toHaveCount(0);
  }
  await page.goto('/users');
  await expect(page.locator('tr[data-email="sod-a@example.com"]')).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();

  // A forged request is refused by the server, whatever the page shows.
  const forged = await page.request.post('/sfn/users/create', {
    form: { email: 'mallory@example.com', name: 'Mallory', password: '' },
  });
  expect(forged.status()).toBe(403);
  const forgedPolicy = await page.request.post('/sfn/policies/create', {
    form: { subject: 'sod-b@example.com', role: 'admin', workspace: '' },
  });
  expect(forgedPolicy.status()).toBe(403);
  const forgedRest = await page.request.post('/api/v1/workspaces', { data: { key: 'forged', name: 'Forged' } });
  expect(forgedRest.status()).toBe(403);

  // Signed in as A: the endpoint permissions show as granted, by the Developer policy.
  await signInAs(page, 'sod-a@example.com', 'alice long password');
  await page.getByRole('link', { name: 'My account' }).click();
  await hydrated(page);
  await page.getByRole('link', { name: /My access/ }).click();
  const effective = page.getByRole('table', { name: 'Effective permissions' });
  for (const permission of ['endpoint:create', 'endpoint:update', 'endpoint:delete']) {
    await expect(effective.locator(`tr[data-permission="${permission}"]`)).toContainText('sod-developer globally');
  }
  await expect(effective.locator('tr[data-permission="user:manage"]')).toHaveCount(0);
  await screenshot(page, 'guide-separation-of-duties');
});
