import { defineConfig } from '@playwright/test';

// The browser tests run against a real release server process
// (target/release/portcullis) over a throwaway SQLite file, in Debian's
// Chromium. Never `npx playwright install`: nothing downloads here.
const port = Number(process.env.E2E_PORT ?? 3100);
export const fakePort = Number(process.env.E2E_FAKE_PORT ?? 3190);
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
/** A second console with no SMTP: what it says when nothing is mailed. */
export const unmailedPort = Number(process.env.E2E_UNMAILED_PORT ?? 3101);
/** A third console that only the visual comparison uses: the same data every run. */
export const visualPort = Number(process.env.E2E_VISUAL_PORT ?? 3102);
/** A fourth console under the Adaptive Engine catalog (PORTCULLIS_CATALOG=adaptive). */
export const adaptivePort = Number(process.env.E2E_ADAPTIVE_PORT ?? 3103);
export const adminEmail = 'admin@example.com';
export const adminPassword = 'e2e admin password';

/** A release console on `listen`, over a fresh SQLite file in `data`. */
function consoleServer(listen: number, data: string, env: Record<string, string>) {
  return {
    command: `rm -rf ${data} && ../target/release/portcullis serve`,
    url: `http://127.0.0.1:${listen}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      DATABASE_URL: `sqlite://${data}/e2e.db`,
      PORTCULLIS_LISTEN: `127.0.0.1:${listen}`,
      PORTCULLIS_SITE_ROOT: '../target/site',
      PORTCULLIS_ADMIN_EMAIL: adminEmail,
      PORTCULLIS_ADMIN_PASSWORD: adminPassword,
      PORTCULLIS_ADMIN_NAME: 'Ada Admin',
      PORTCULLIS_LOG: 'warn',
      ...env,
    },
  };
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000, toHaveScreenshot: { maxDiffPixelRatio: 0.01, animations: 'disabled', caret: 'hide' } },
  // Baselines of the visual comparison, committed: one per page at 1280 px.
  snapshotPathTemplate: '{testDir}/__screenshots__/{arg}{ext}',
  reporter: 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
   {
    // The outside world: an SMTP sink and a GitHub-like OAuth provider.
    command: 'node fake-services.mjs',
    url: `http://127.0.0.1:${fakePort}/health`,
    reuseExistingServer: false,
    timeout: 20_000,
    env: { E2E_SMTP_PORT: String(smtpPort), E2E_FAKE_PORT: String(fakePort) },
   },
   consoleServer(port, '.data', {
      PORTCULLIS_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PORTCULLIS_MAIL_FROM: 'Portcullis <access@example.com>',
      PORTCULLIS_GITHUB_CLIENT_ID: 'e2e-client',
      PORTCULLIS_GITHUB_CLIENT_SECRET: 'e2e-secret',
      PORTCULLIS_GITHUB_AUTHORIZE_URL: `http://127.0.0.1:${fakePort}/authorize`,
      PORTCULLIS_GITHUB_TOKEN_URL: `http://127.0.0.1:${fakePort}/token`,
      PORTCULLIS_GITHUB_API_URL: `http://127.0.0.1:${fakePort}`,
   }),
   consoleServer(unmailedPort, '.data-unmailed', {}),
   consoleServer(visualPort, '.data-visual', {}),
   consoleServer(adaptivePort, '.data-adaptive', { PORTCULLIS_CATALOG: 'adaptive' }),
  ],
});
