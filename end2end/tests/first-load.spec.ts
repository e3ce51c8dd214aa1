import { test, expect } from '@playwright/test';

test('the bundle is sent precompressed and revalidated, pages are never cached blindly', async ({ request }) => {
  for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip']]) {
    const wasm = await request.get('/pkg/portcullis.wasm', { headers: { 'Accept-Encoding': encoding } });
    expect(wasm.status()).toBe(200);
    expect(wasm.headers()['content-encoding']).toBe(expected);
    expect(wasm.headers()['cache-control']).toBe('no-cache');
    const modified = wasm.headers()['last-modified'];
    expect(modified).toBeTruthy();
    const again = await request.get('/pkg/portcullis.wasm', {
      headers: { 'Accept-Encoding': encoding, 'If-Modified-Since': modified },
    });
    expect(again.status()).toBe(304);
  }
  const page = await request.get('/login');
  expect(page.headers()['cache-control']).toBe('no-cache, private');
});
