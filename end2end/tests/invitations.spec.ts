import { test, expect, type Page } from '@playwright/test';
import { fakePort } from '../playwright.config';
import { createWorkspace, hydrated, screenshot, signIn, rowAction } from './helpers';

const fake = `http://127.0.0.1:${fakePort}`;

/** The invitation link in the last mail the SMTP sink received for `email`. */
async function linkMailedTo(page: Page, email: string): Promise<string> {
  let link = '';
  await expect
    .poll(async () => {
      const mails: { to: string[]; data: string }[] = await (await page.request.get(`${fake}/mails`)).json();
      const mail = mails.filter((m) => m.to.includes(email)).pop();
      const text = (mail?.data ?? '').replace(/=\r\n/g, '');
      link = text.match(/Open this link to join: (\S+)/)?.[1] ?? '';
      return link;
    }, { timeout: 15_000 })
    .toContain('/invite/');
  return new URL(link).pathname;
}

async function invite(page: Page, emails: string, role: string, workspace: string) {
  await page.goto('/invitations');
  await hydrated(page);
  await page.getByRole('button', { name: 'Invite people' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite people' });
  await dialog.getByLabel('Emails').fill(emails);
  await dialog.getByLabel('Role').selectOption(role);
  await dialog.getByLabel('Scope').selectOption(workspace);
  await dialog.getByRole('button', { name: 'Send invitations' }).click();
  return dialog;
}

test('invitations: invite with a validation error, the mail arrives, join with a password; revoke', async ({ page, browser }) => {
  await signIn(page);
  await createWorkspace(page, 'invited-ws', 'Invited workspace');
  const dialog = await invite(page, 'joiner@example.com\nnot-an-email', 'developer', 'invited-ws');
  await expect(dialog.locator('#invite-emails-error')).toContainText('line 2');
  await expect(dialog.getByLabel('Role')).toHaveValue('developer');
  await dialog.getByLabel('Emails').fill('joiner@example.com\nleaver@example.com');
  await dialog.getByRole('button', { name: 'Send invitations' }).click();
  await expect(page.getByRole('status')).toContainText('Invited 2 people: the links are on their way by mail.');

  // The mail leaves over SMTP; the page says so and keeps no link.
  const link = await linkMailedTo(page, 'joiner@example.com');
  const leaverLink = await linkMailedTo(page, 'leaver@example.com');
  await page.reload();
  await hydrated(page);
  const row = page.locator('tr[data-email="joiner@example.com"]');
  await expect(row).toContainText('pending');
  await expect(row).toContainText('mailed');
  await screenshot(page, 'invitations');

  const leaver = page.locator('tr[data-email="leaver@example.com"]');
  await rowAction(leaver, 'Revoke the invitation of leaver@example.com');
  await page.getByRole('dialog', { name: 'Revoke invitation' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(leaver).toContainText('revoked');

  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(leaverLink);
  await expect(invitee.getByRole('heading', { name: 'This invitation was withdrawn' })).toBeVisible();
  await invitee.goto(link);
  await hydrated(invitee);
  await expect(invitee.locator('[data-invitation="summary"]')).toContainText('Developer');
  await expect(invitee.locator('[data-invitation="summary"]')).toContainText('invited-ws');
  await screenshot(invitee, 'invite-link');
  await invitee.getByLabel('Your name').fill('Jo Iner');
  await invitee.getByLabel('Password', { exact: true }).fill('short');
  await invitee.getByRole('button', { name: 'Join Portcullis' }).click();
  await expect(invitee.locator('#invite-password-error')).toContainText('at least 10 characters');
  await expect(invitee.getByLabel('Your name')).toHaveValue('Jo Iner');
  await invitee.getByLabel('Password', { exact: true }).fill('joiner long password');
  await invitee.getByRole('button', { name: 'Join Portcullis' }).click();
  await expect(invitee.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await invitee.getByRole('link', { name: 'Workspaces' }).click();
  const rows = invitee.locator('table[aria-label="Workspaces"] tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-key', 'invited-ws');
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: 'This invitation has been used' })).toBeVisible();
  await context.close();

  await page.reload();
  await expect(page.locator('tr[data-email="joiner@example.com"]')).toContainText('accepted');
});

test('invitations: the invitee reads the mail, signs in with GitHub, and lands with the invited role in the invited workspace', async ({ page, browser }) => {
  await signIn(page);
  await createWorkspace(page, 'octo-ws', 'Octo workspace');
  await invite(page, 'octocat@example.com', 'endpoint-user', 'octo-ws');
  await expect(page.getByRole('status')).toContainText('Invited octocat@example.com:');
  const link = await linkMailedTo(page, 'octocat@example.com');

  // The provider will vouch for this account.
  await page.request.post(`${fake}/next-account`, {
    data: { id: 583231, login: 'octocat', name: 'The Octocat', email: 'octocat@example.com' },
  });
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(link);
  await hydrated(invitee);
  await invitee.getByRole('link', { name: 'Continue with GitHub' }).click();
  await expect(invitee.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(invitee.locator('.whoami')).toContainText('The Octocat');

  await invitee.getByRole('link', { name: 'Workspaces' }).click();
  const rows = invitee.locator('table[aria-label="Workspaces"] tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-key', 'octo-ws');
  await invitee.getByRole('link', { name: 'My account' }).click();
  await invitee.getByRole('link', { name: /My access/ }).click();
  // The user page's code arrives with it (a lazy route): wait for the page.
  await expect(invitee.getByRole('heading', { name: 'The Octocat', level: 1 })).toBeVisible();
  await invitee.getByLabel('Workspace').fill('octo-ws');
  await invitee.getByRole('button', { name: 'Show' }).click();
  const effective = invitee.getByRole('table', { name: 'Effective permissions' });
  await expect(effective.locator('tr[data-permission="endpoint:invoke"]')).toContainText('endpoint-user in octo-ws');
  await expect(effective.locator('tr[data-permission="endpoint:create"]')).toHaveCount(0);
  await context.close();
});
