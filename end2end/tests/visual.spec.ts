import { test, expect, type Page } from '@playwright/test';
import { visualPort } from '../playwright.config';
import { createPolicy, createTeam, createUser, createWorkspace, hydrated, signIn } from './helpers';

// The look of every page, on a console of its own with the same data every
// run: compared at 1280 px against committed baselines (tests/__screenshots__;
// `npx playwright test visual --update-snapshots` after a deliberate change),
// so a broken layout fails here. Dates are masked: they are the only thing
// that differs between runs. The README's screenshots at 1280 and 390 px, in
// both themes, are written by the last test.

test.use({ baseURL: `http://127.0.0.1:${visualPort}` });
test.describe.configure({ mode: 'serial' });

const pages: { name: string; path: string; heading: string }[] = [
  { name: 'dashboard', path: '/', heading: 'Dashboard' },
  { name: 'users', path: '/users', heading: 'Users' },
  { name: 'workspaces', path: '/workspaces', heading: 'Workspaces' },
  { name: 'workspace-detail', path: '/workspaces/inference', heading: 'Inference' },
  { name: 'teams', path: '/teams', heading: 'Teams' },
  { name: 'team-detail', path: '/teams/ml-platform', heading: 'ML platform' },
  { name: 'roles', path: '/roles', heading: 'Roles' },
  { name: 'policies', path: '/policies', heading: 'Policies' },
  { name: 'explorer', path: '/policies/explorer?user=grace%40example.com&workspace=inference', heading: 'Access explorer' },
  { name: 'invitations', path: '/invitations', heading: 'Invitations' },
  { name: 'account', path: '/account', heading: 'My account' },
];

async function show(page: Page, path: string, heading: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
  await expect(page.locator('.page-loading')).toHaveCount(0);
}

const masks = (page: Page) => [page.locator('time')];

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage({ baseURL: `http://127.0.0.1:${visualPort}` });
  await signIn(page);
  await createWorkspace(page, 'inference', 'Inference');
  await createUser(page, 'grace@example.com', 'Grace Hopper', 'grace has a long password');
  await createUser(page, 'alan@example.com', 'Alan Turing', 'alan has a long password');
  await createTeam(page, 'ml-platform', 'ML platform');
  await createPolicy(page, 'grace@example.com', 'developer', 'inference');
  await createPolicy(page, 'team:ml-platform', 'viewer');
  await page.close();
});

test('the login page looks as it did', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await show(page, '/login', 'Portcullis');
  await expect(page).toHaveScreenshot('login.png', { fullPage: true });
});

test('every console page looks as it did at 1280 px', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  for (const { name, path, heading } of pages) {
    await show(page, path, heading);
    await expect(page, `${path} against its baseline`).toHaveScreenshot(`${name}.png`, { fullPage: true, mask: masks(page) });
  }
});

test('README screenshots at 1280 and 390 px, light and dark', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 800 ? 800 : 844 });
      for (const { name, path, heading } of pages.filter((p) => ['dashboard', 'users', 'policies', 'roles'].includes(p.name))) {
        await show(page, path, heading);
        await page.screenshot({ path: `../docs/screenshots/${name}-${width}-${scheme}.png`, fullPage: width > 800 });
      }
    }
  }
});
