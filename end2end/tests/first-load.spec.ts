import { test, expect } from '@playwright/test';
import { hydrated, signIn } from './helpers';

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

/** The wasm files a page's head preloads: its chunk's, beside the shell. */
function preloadedWasm(html: string): string[] {
  return [...html.matchAll(/<link[^>]*>/g)]
    .map(([tag]) => tag)
    .filter((tag) => tag.includes('rel="preload"') && tag.includes('.wasm'))
    .map((tag) => tag.match(/href="([^"]+)"/)![1]);
}

test("every page's head names the files of its chunk, so the browser fetches them beside the shell", async ({ page, browser }) => {
  await signIn(page);
  for (const path of ['/login', '/', '/users', '/teams', '/invitations', '/roles', '/policies', '/policies/explorer',
    '/workspaces', '/audit', '/account']) {
    // Several times each: leptos_axum's own preloads came only now and then.
    for (let round = 0; round < 3; round += 1) {
      const html = await (await page.request.get(path)).text();
      const chunks = preloadedWasm(html).filter((href) => !href.includes('/portcullis.'));
      expect(chunks.length, `${path} (round ${round}) preloads its chunk`).toBeGreaterThan(0);
      expect(new Set(chunks).size, `${path} names each file once`).toBe(chunks.length);
      const loader = [...html.matchAll(/<link[^>]*>/g)].map(([tag]) => tag)
        .filter((tag) => tag.includes('rel="modulepreload"') && /href="\/pkg\/__wasm_split\.[A-Za-z0-9_-]+\.js"/.test(tag));
      expect(loader, `${path} preloads the chunk loader once`).toHaveLength(1);
    }
  }

  // Cold, a page fetches no wasm its head did not name.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const cold = await context.newPage();
  const fetched: string[] = [];
  cold.on('request', (request) => {
    if (request.url().endsWith('.wasm')) fetched.push(new URL(request.url()).pathname);
  });
  const response = await cold.goto('/users');
  const named = new Set(preloadedWasm(await response!.text()));
  await expect(cold.locator('body[data-hydrated="true"]')).toHaveCount(1);
  expect(fetched.filter((path) => !named.has(path)), 'wasm the head of /users did not name').toEqual([]);
  await context.close();
});

test('a page the browser already has comes back as 304, and hydrates under the policy stored with it', async ({ page }) => {
  await signIn(page);
  // Chromium reports a revalidated page with its stored 200 (playwright#27573),
  // so the 304 shows as the tag sent back and nothing sent with it.
  const visits: Promise<{ sent?: string; tag?: string; body: number }>[] = [];
  page.on('requestfinished', (request) => {
    if (request.resourceType() === 'document' && new URL(request.url()).pathname === '/users') {
      visits.push((async () => {
        const [headers, sizes, response] = await Promise.all([request.allHeaders(), request.sizes(), request.response()]);
        return { sent: headers['if-none-match'], tag: response?.headers()['etag'], body: sizes.responseBodySize };
      })());
    }
  });
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) refused.push(message.text());
  });
  for (let visit = 0; visit < 3; visit += 1) {
    await page.goto('/users');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  }
  const [first, ...again] = await Promise.all(visits);
  expect(first.sent).toBeUndefined();
  expect(first.tag).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
  expect(first.body).toBeGreaterThan(1000);
  expect(again, 'revalidated: the stored tag sent, no page sent back').toEqual([
    { sent: first.tag, tag: first.tag, body: 0 },
    { sent: first.tag, tag: first.tag, body: 0 },
  ]);
  // Still interactive: the stored nonce matches the stored policy.
  await page.getByRole('button', { name: 'New user' }).click();
  await expect(page.getByRole('dialog', { name: 'New user' })).toBeVisible();
  expect(refused).toEqual([]);
});
