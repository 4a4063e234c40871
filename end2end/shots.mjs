// Takes the screenshots of the README (docs/*.png) and of the user guide (public/guide/*.png, which the
// app serves at /guide/<name>.png and docs/guide/*.md show) against a running server with the demo
// data (not part of the test suite):
//   cd end2end && VEZA_URL=http://127.0.0.1:3000 node shots.mjs
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const base = process.env.VEZA_URL ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

async function newPage(viewport, lang) {
  const ctx = await browser.newContext({ viewport, locale: lang === 'sr' ? 'sr-Latn-RS' : 'en-US', extraHTTPHeaders: { 'Accept-Language': lang } });
  return [ctx, await ctx.newPage()];
}

async function signIn(page) {
  await page.goto(base + '/login');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.fill('input[name=email]', 'admin@demo.veza.rs');
  await page.fill('input[name=password]', 'demo-lozinka');
  await page.click('form.stack button[type=submit]');
  await page.waitForSelector('.topbar');
}

async function shoot(page, route, path) {
  await page.goto(base + route);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.screenshot({ path });
}

// The README's: the board in Serbian at desktop and phone width, an account page in English.
for (const [name, viewport, lang, route] of [
  ['board', { width: 1440, height: 900 }, 'sr', '/pipeline'], // home is the dashboard; the board is at /pipeline
  ['board-phone', { width: 390, height: 844 }, 'sr', '/pipeline'],
  ['account', { width: 1440, height: 900 }, 'en', '/accounts/3'],
]) {
  const [ctx, page] = await newPage(viewport, lang);
  await signIn(page);
  await shoot(page, route, `../docs/${name}.png`);
  await ctx.close();
}

// The guide's: one per page of docs/guide, in English at 1280×800, signed in as the demo administrator.
const guide = '../public/guide';
mkdirSync(guide, { recursive: true });
const viewport = { width: 1280, height: 800 };
{
  const [ctx, page] = await newPage(viewport, 'en');
  await shoot(page, '/login', `${guide}/getting-started.png`); // before signing in
  await ctx.close();
}
const [ctx, page] = await newPage(viewport, 'en');
await signIn(page);
for (const [name, route] of [
  ['accounts', '/accounts/3'],
  ['contacts', '/contacts'],
  ['leads', '/leads'],
  ['opportunities', '/pipeline'],
  ['activities', '/my-day'],
  ['products', '/products'],
  ['competitors', '/competitors'],
  ['reports', '/reports/forecast'],
  ['import', '/imports'],
  ['search', '/search?q=beo'],
  ['admin', '/admin'],
]) {
  await shoot(page, route, `${guide}/${name}.png`);
}
await ctx.close();
await browser.close();
