import { test, expect } from '@playwright/test';
import { hydrated, signIn } from './helpers';

// Every console page hydrates under its Content-Security-Policy (scripts
// only with the response's nonce), and the browser reports no violation.
test('content security policy: every page hydrates and nothing is refused', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  await signIn(page);
  for (const path of ['/', '/users', '/workspaces', '/teams', '/roles', '/policies', '/policies/explorer', '/audit', '/invitations', '/account']) {
    const response = await page.goto(path);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp, path).toContain("'nonce-");
    expect(csp, path).toContain("frame-ancestors 'none'");
    await hydrated(page);
    expect(await page.evaluate(() => (window as any).__violations), path).toEqual([]);
  }
  expect(refused).toEqual([]);
});
