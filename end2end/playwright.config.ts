import { defineConfig } from '@playwright/test';

// Veza's end-to-end tests run in Debian's Chromium (never a downloaded browser) against a server
// started by scripts/test.sh on a fresh database (SQLite, then Postgres), sending e-mail through
// smtp-sink.ts.
const baseURL = process.env.VEZA_URL ?? 'http://127.0.0.1:3000';
const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
};

export default defineConfig({
  testDir: './tests',
  // The mail server the Veza server under test sends through (see smtp-sink.ts).
  globalSetup: './global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL, trace: 'retain-on-failure', locale: 'en-US' },
  projects: [
    { name: 'setup', testMatch: /00-setup\.spec\.ts/, use: { ...chromium } },
    { name: 'chromium', testMatch: /\d\d-(?!setup|nojs|phone).*\.spec\.ts/, dependencies: ['setup'], use: { ...chromium } },
    { name: 'phone', testMatch: /40-phone\.spec\.ts/, dependencies: ['chromium'], use: { ...chromium, viewport: { width: 390, height: 844 } } },
    { name: 'no-javascript', testMatch: /90-nojs\.spec\.ts/, dependencies: ['chromium'], use: { ...chromium, javaScriptEnabled: false } },
  ],
});
