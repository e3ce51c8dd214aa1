import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createTeam, createUser, createWorkspace, hydrated, signIn, signInAs } from './helpers';

// axe-core on every page, signed out, as the administrator and as a plain
// member, in both themes, with one dialog open where the page has one:
// no serious or critical violation of WCAG 2.1 A/AA.

type Visit = { path: string; dialog?: string };

const adminPages: Visit[] = [
  { path: '/' },
  { path: '/users', dialog: 'New user' },
  { path: '/workspaces', dialog: 'New workspace' },
  { path: '/workspaces/axe-ws' },
  { path: '/teams', dialog: 'New team' },
  { path: '/teams/axe-team' },
  { path: '/roles', dialog: 'New role' },
  { path: '/policies', dialog: 'New policy' },
  { path: '/policies/explorer?user=admin%40example.com' },
  { path: '/audit' },
  { path: '/invitations', dialog: 'Invite people' },
  { path: '/account', dialog: 'New token' },
];
const memberPages: Visit[] = [{ path: '/' }, { path: '/workspaces' }, { path: '/policies' }, { path: '/account' }];
const signedOutPages: Visit[] = [{ path: '/login' }, { path: '/invite/not-a-real-token' }];

/** The serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function audit(page: Page, visits: Visit[]): Promise<string[]> {
  const found: string[] = [];
  for (const visit of visits) {
    await page.goto(visit.path);
    await hydrated(page);
    await expect(page.locator('.page-loading')).toHaveCount(0);
    found.push(...(await violations(page)).map((v) => `${visit.path}: ${v}`));
    if (visit.dialog) {
      await page.getByRole('button', { name: visit.dialog, exact: true }).first().click();
      await expect(page.getByRole('dialog')).toBeVisible();
      found.push(...(await violations(page)).map((v) => `${visit.path} with "${visit.dialog}" open: ${v}`));
      await page.keyboard.press('Escape');
    }
  }
  return found;
}

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page);
  await createWorkspace(page, 'axe-ws', 'Axe workspace');
  await createTeam(page, 'axe-team', 'Axe team');
  await createUser(page, 'axe-member@example.com', 'Axe Member', 'axe member long password');
  await page.close();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`${scheme}: no serious or critical axe violation, signed out, as admin, as a member`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    const found = await audit(page, signedOutPages);
    await signIn(page);
    found.push(...(await audit(page, adminPages)));
    await signInAs(page, 'axe-member@example.com', 'axe member long password');
    found.push(...(await audit(page, memberPages)));
    expect(found, found.join('\n')).toEqual([]);
  });
}

test('the keyboard walk: sign in, open a dialog, fill it, send it, Escape, focus returns', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Email').focus();
  await page.keyboard.type('admin@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('e2e admin password');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await page.goto('/workspaces');
  await hydrated(page);
  const open = page.getByRole('button', { name: 'New workspace' });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New workspace' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Key')).toBeFocused();
  await page.keyboard.type('keyboard-ws');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keyboard workspace');
  await page.keyboard.press('Enter');
  await expect(page.locator('.toasts')).toContainText('Created workspace keyboard-ws.');
  await expect(dialog).toBeHidden();
  // Escape closes a dialog and gives focus back to what opened it.
  await open.focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
});
