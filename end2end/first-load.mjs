// The console's first load, cold, as the issue measures it: Chromium with
// 10 Mbit/s, 40 ms latency and a 4x slower CPU, a fresh profile each time.
// For each page: the bytes that crossed the wire and the time to the
// hydration marker (body[data-hydrated]), once as served (precompressed)
// and once asking for no compression, in the same run, so the figures
// compare against an anchor on this same machine. Prints a table.
// Usage: node first-load.mjs http://127.0.0.1:3100 admin@example.com 'password'
import { chromium } from 'playwright-core';

const [base, email, password] = process.argv.slice(2);
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs });

async function signedInState() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const state = await context.storageState();
  await context.close();
  return state;
}

async function coldLoad(path, storageState, compressed) {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: (10 * 1024 * 1024) / 8, uploadThroughput: (10 * 1024 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  if (!compressed) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; });
  const started = Date.now();
  await page.goto(`${base}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  const hydratedMs = Date.now() - started;
  await context.close();
  return { bytes, hydratedMs };
}

const signedIn = await signedInState();
const rows = [];
for (const [path, state] of [['/login', undefined], ['/', signedIn], ['/users', signedIn], ['/roles', signedIn]]) {
  const plain = await coldLoad(path, state, false);
  const served = await coldLoad(path, state, true);
  rows.push({ path, plain, served });
}
console.log('page      | uncompressed: bytes, ms to hydrated | as served: bytes, ms to hydrated | ratio (time)');
for (const { path, plain, served } of rows) {
  const ratio = (served.hydratedMs / plain.hydratedMs).toFixed(2);
  console.log(`${path.padEnd(9)} | ${String(plain.bytes).padStart(9)} B ${String(plain.hydratedMs).padStart(6)} ms | ${String(served.bytes).padStart(9)} B ${String(served.hydratedMs).padStart(6)} ms | ${ratio}`);
}
await browser.close();
