import { test, expect } from '@playwright/test';
import { hydrated, screenshot, signIn } from './helpers';

test('light and dark themes: follows the system, a pick is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page);
  await hydrated(page);
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  expect(light).toBe('rgb(246, 247, 249)');

  // The system asking for dark is enough.
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).toBe('rgb(17, 20, 24)');

  // A pick overrides the system and survives a reload.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Dark theme' }).click();
  expect(await background()).toBe('rgb(17, 20, 24)');
  await page.goto('/policies');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  expect(await background()).toBe('rgb(17, 20, 24)');
  await screenshot(page, 'policies-dark');
  await page.goto('/roles');
  await hydrated(page);
  await screenshot(page, 'roles-dark');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'false');
  expect(await background()).toBe(light);

  // A phone-sized window: the table scrolls or wraps, nothing overflows the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/users');
  await hydrated(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, 'users-phone');
});
