import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

test('the bundle is sent precompressed under hashed names, kept for good; pages are never cached blindly', async ({ request }) => {
  const page = await request.get('/login');
  expect(page.headers()['cache-control']).toBe('no-cache, private');
  const html = await page.text();
  const wasm = html.match(/href="(\/pkg\/portcullis\.[A-Za-z0-9_-]{22}\.wasm)"/)?.[1];
  const script = html.match(/href="(\/pkg\/portcullis\.[A-Za-z0-9_-]{22}\.js)"/)?.[1];
  expect(wasm, 'the page preloads the wasm under its hashed name').toBeTruthy();
  expect(script, 'the page preloads the script under its hashed name').toBeTruthy();
  for (const path of [wasm!, script!]) {
    for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip']]) {
      const file = await request.get(path, { headers: { 'Accept-Encoding': encoding } });
      expect(file.status()).toBe(200);
      expect(file.headers()['content-encoding']).toBe(expected);
      expect(file.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  }
  // The old unhashed names are gone, so no browser can keep a stale copy under them.
  expect((await request.get('/pkg/portcullis.wasm')).status()).toBe(404);
});

test('a page brings the shell and its own chunk; the next page fetches its chunk when first shown', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(new URL(request.url()).pathname);
  });
  await signIn(page);
  const atDashboard = new Set(wasm);
  expect(atDashboard.size, `wasm fetched by /login and /: ${[...atDashboard].join(', ')}`).toBeGreaterThan(1);
  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page.getByRole('heading', { name: 'Roles', exact: true })).toBeVisible();
  const fetchedForRoles = wasm.filter((path) => !atDashboard.has(path));
  expect(fetchedForRoles.length, 'the Roles page came with a chunk of its own').toBeGreaterThan(0);
  expect(fetchedForRoles.every((path) => !path.includes('/portcullis.')), 'the shell is not fetched again').toBe(true);
});
