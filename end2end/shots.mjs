// Takes the README screenshots against a server with the demo data (not part of the test suite).
import { chromium } from '@playwright/test';
const base = process.env.VEZA_URL ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
for (const [name, viewport, lang] of [['board', { width: 1440, height: 900 }, 'sr'], ['board-phone', { width: 390, height: 844 }, 'sr'], ['account', { width: 1440, height: 900 }, 'en']]) {
  const ctx = await browser.newContext({ viewport, locale: lang === 'sr' ? 'sr-Latn-RS' : 'en-US', extraHTTPHeaders: { 'Accept-Language': lang } });
  const page = await ctx.newPage();
  await page.goto(base + '/login');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.fill('input[name=email]', 'admin@demo.veza.rs');
  await page.fill('input[name=password]', 'demo-lozinka');
  await page.click('form.stack button[type=submit]');
  await page.waitForSelector('.topbar');
  if (name === 'account') await page.goto(base + '/accounts/3');
  else await page.goto(base + '/pipeline'); // home is the dashboard; the board is at /pipeline
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.screenshot({ path: `../docs/${name}.png` });
  await ctx.close();
}
await browser.close();
