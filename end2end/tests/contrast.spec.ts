import { test, expect, type Page } from '@playwright/test';
import { hydrated, signIn } from './helpers';

/** The WCAG contrast ratio of two computed `rgb(…)` colours. */
function ratio(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function colours(page: Page, selector: string) {
  return page.evaluate((selector) => {
    const element = document.querySelector(selector)!;
    const style = getComputedStyle(element);
    return { color: style.color, background: style.backgroundColor, outline: style.outlineColor };
  }, selector);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`${scheme}: the focus ring and the status badges are readable`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await signIn(page);
    await page.goto('/users');
    await hydrated(page);
    const pageBackground = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const card = await page.evaluate(() => getComputedStyle(document.querySelector('.table')!).backgroundColor);

    // WCAG 1.4.11: a focus indicator 3:1 against what surrounds it.
    await page.getByRole('button', { name: 'New user' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineColor);
    for (const around of [pageBackground, card]) {
      expect(ratio(ring, around), `focus ring ${ring} on ${around}`).toBeGreaterThanOrEqual(3);
    }

    // WCAG 1.4.3: small text 4.5:1.
    const badge = await colours(page, '.badge-ok');
    expect(ratio(badge.color, badge.background), `active badge ${badge.color} on ${badge.background}`).toBeGreaterThanOrEqual(4.5);
  });
}
