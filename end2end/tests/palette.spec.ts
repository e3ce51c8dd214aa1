import { test, expect } from '@playwright/test';
import { createUser, hydrated, signIn } from './helpers';

test('Ctrl-K jumps to a page or a user the viewer may read', async ({ page }) => {
  await signIn(page);
  // Its own person on every run (--repeat-each runs it against one server).
  const run = test.info().repeatEachIndex;
  const name = `Pat Palette Run${run}x`;
  await createUser(page, `palette-person-${run}@example.com`, name, 'palette long password');
  await page.goto('/');
  await hydrated(page);
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Jump to' });
  await expect(palette).toBeVisible();
  const box = palette.getByRole('combobox', { name: 'Jump to' });
  await expect(box).toBeFocused();
  await box.fill('audit');
  await expect(palette.getByRole('option').first()).toContainText('Audit log');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/audit$/);
  // The frame is redrawn once the new page's chunk and data are in (the
  // layout's Suspense): a palette opened before that would lose what was typed.
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();

  await page.keyboard.press('Control+k');
  // What matches nothing says so, once the server has answered.
  await box.fill('no such place');
  await expect(palette.getByRole('status')).toHaveText('Nothing you may open matches “no such place”.');
  await expect(palette.getByRole('option')).toHaveCount(0);
  await box.fill(`Palette Run${run}`);
  const person = palette.getByRole('option', { name: new RegExp(name) });
  await expect(person).toBeVisible();
  await person.click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
});

test('a palette opened while the next page is still loading keeps what was typed', async ({ page }) => {
  await signIn(page);
  await page.goto('/');
  await hydrated(page);
  // The next page's chunk takes its time (a slow network): before, the
  // frame went back to "Loading…" until it came, and took the palette with it.
  await page.route('**/*.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Jump to' });
  const box = palette.getByRole('combobox', { name: 'Jump to' });
  await box.fill('audit');
  await expect(palette.getByRole('option').first()).toContainText('Audit log');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/audit$/);
  await page.keyboard.press('Control+k');
  await expect(palette).toBeVisible();
  await box.pressSequentially('works');
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(palette).toBeVisible();
  await expect(box).toHaveValue('works');
  await expect(box).toBeFocused();
  await expect(palette.getByRole('option').first()).toContainText('Workspaces');
});
