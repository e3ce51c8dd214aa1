import { test, expect } from '@playwright/test';
import { hydrated, signIn } from './helpers';

test('wide screens: a sidebar grouped by task beside the page, which can be hidden and brought back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const group of ['People', 'Access', 'Platform', 'Security']) {
    await expect(nav.getByRole('heading', { name: group })).toBeVisible();
  }
  await expect(nav.getByRole('list', { name: 'People' }).getByRole('link')).toHaveText(['Users', 'Teams', 'Invitations']);
  await expect(nav.getByRole('list', { name: 'Access' }).getByRole('link')).toHaveText(['Roles', 'Policies', 'Access explorer']);
  const navBox = (await nav.boundingBox())!;
  const mainBox = (await page.locator('main').boundingBox())!;
  expect(navBox.x + navBox.width).toBeLessThanOrEqual(mainBox.x);
  // My account, the theme and Sign out sit together at the sidebar's foot.
  const account = page.getByRole('group', { name: 'Your account' });
  await expect(account.getByRole('link', { name: 'My account' })).toBeVisible();
  await expect(account.getByRole('button', { name: 'Sign out' })).toBeVisible();

  await page.getByRole('button', { name: 'Hide menu' }).click();
  await expect(nav).toBeHidden();
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await expect(nav).toBeVisible();
});

test('phones: the navigation is a drawer behind a Menu button, and tables scroll inside their own frame', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await expect(nav).toBeHidden();

  // The page itself never scrolls sideways; the table does, in a frame a
  // keyboard can focus.
  await hydrated(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const frame = page.locator('.table-scroll').first();
  await expect(frame).toHaveAttribute('tabindex', '0');
  expect(await frame.evaluate((el) => getComputedStyle(el).overflowX)).toBe('auto');
});

test('rows keep their borders aligned and dialogs keep their buttons in view', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  const actions = page.locator('table[aria-label="Users"] td.row-actions').first();
  expect(await actions.evaluate((el) => getComputedStyle(el).display)).toBe('table-cell');

  await page.goto('/roles');
  await hydrated(page);
  await page.getByRole('button', { name: 'New role' }).click();
  const create = page.getByRole('dialog', { name: 'New role' }).getByRole('button', { name: 'Create role' });
  const box = (await create.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(800);
});

test('sessions name the browser and system, not the raw User-Agent', async ({ page }) => {
  await signIn(page);
  await page.goto('/account');
  await hydrated(page);
  const device = page.locator('tr[data-current="true"] td').first();
  await expect(device).toContainText(/Chrome \d+ on Linux/);
  await expect(device).not.toContainText('Mozilla/5.0');
  await expect(device).toHaveAttribute('title', /Mozilla\/5\.0/);
});

test('every page says what it is for under its title, and detail pages show where they sit', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  for (const [path, title] of [['/', 'Dashboard'], ['/users', 'Users'], ['/teams', 'Teams'], ['/invitations', 'Invitations'],
    ['/roles', 'Roles'], ['/policies', 'Policies'], ['/policies/explorer', 'Access explorer'], ['/workspaces', 'Workspaces'],
    ['/audit', 'Audit log'], ['/account', 'My account']]) {
    await page.goto(path);
    await hydrated(page);
    const intro = page.locator('.page-head + .page-intro');
    await expect(intro, `${path} explains itself`).toHaveCount(1);
    expect((await intro.innerText()).length, `${path}: a sentence, not a word`).toBeGreaterThan(30);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  }
  await page.goto('/users?q=admin%40example.com');
  await hydrated(page);
  // By the admin's row: other specs rename the admin.
  await page.locator('tr[data-email="admin@example.com"]').getByRole('link').click();
  const trail = page.getByRole('navigation', { name: 'Breadcrumb' });
  await expect(trail.getByRole('link')).toHaveText(['Dashboard', 'Users']);
  await trail.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
});

test("a row's actions sit in one menu at the row's end, which a phone reaches without scrolling sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  const row = page.locator('tr[data-email="admin@example.com"]');
  const open = row.getByRole('button', { name: 'Actions for admin@example.com' });
  await expect(row.getByRole('button', { name: 'Rename admin@example.com' })).toBeHidden();
  // In view without scrolling: the actions cell sticks to the frame's edge.
  const button = (await open.boundingBox())!;
  expect(button.x + button.width).toBeLessThanOrEqual(390);
  // So does the header cell above it: the columns stay in line.
  const head = (await page.locator('table[aria-label="Users"] th.row-actions').boundingBox())!;
  const cell = (await row.locator('td.row-actions').boundingBox())!;
  expect(Math.abs(head.x - cell.x)).toBeLessThanOrEqual(1);
  await open.click();
  const rename = row.getByRole('button', { name: 'Rename admin@example.com' });
  await expect(rename).toBeVisible();
  // The menu lies inside the screen, not cut off by the table's frame.
  const box = (await rename.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await page.keyboard.press('Escape');
  await expect(rename).toBeHidden();
  await open.click();
  await rename.click();
  await expect(page.getByRole('dialog', { name: 'Rename user' })).toBeVisible();
  await expect(rename).toBeHidden();
});
