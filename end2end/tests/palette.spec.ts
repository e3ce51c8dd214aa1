import { test, expect } from '@playwright/test';
import { createUser, hydrated, signIn } from './helpers';

test('Ctrl-K jumps to a page or a user the viewer may read', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'palette-person@example.com', 'Pat Palette', 'palette long password');
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

  await page.keyboard.press('Control+k');
  await box.fill('Pat Pal');
  const person = palette.getByRole('option', { name: /Pat Palette/ });
  await expect(person).toBeVisible();
  await person.click();
  await expect(page.getByRole('heading', { name: 'Pat Palette' })).toBeVisible();
});
