import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { SALES_A, open, readXlsx, signIn } from './helpers';

test('global search: "/" focuses the top-bar box; names, e-mails and diacritics all find the record', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/');
  await page.locator('body').press('/');
  const box = page.getByRole('searchbox', { name: 'Search accounts, contacts, leads and opportunities' }).first();
  await expect(box).toBeFocused();
  await box.fill('sabac');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=sabac/);
  const results = page.locator('ul.search-results');
  await expect(results.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await expect(results.locator('li', { hasText: 'Mlekara Šabac d.o.o.' })).toContainText('Account');

  // A contact by a piece of the e-mail address, and by a name typed without diacritics.
  await open(page, '/search?q=djordje%40mlek');
  await expect(page.locator('ul.search-results').getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();
  await open(page, '/search?q=COLIC');
  await page.locator('ul.search-results').getByRole('link', { name: 'Đorđe Čolić' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Đorđe Čolić' })).toBeVisible();

  // An opportunity; every match exports, each kind on its own sheet; and a text nothing contains.
  await open(page, '/search?q=komora');
  await expect(page.locator('ul.search-results').getByRole('link', { name: 'Rashladna komora 2027' })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^search-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const book = fs.readFileSync((await download.path())!);
  const opportunities = readXlsx(book, 4);
  expect(opportunities[0][0]).toBe('Name');
  expect(opportunities.map((r) => r[0])).toContain('Rashladna komora 2027');
  expect(readXlsx(book, 1)[0][0]).toBe('Name');
  await open(page, '/search?q=zzzqqq');
  await expect(page.getByText('Nothing found.')).toBeVisible();
});

test('help: the top bar opens the user guide on the page about the current page, with its screenshots', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/accounts');
  await page.getByRole('link', { name: 'Help for this page (user guide)' }).click();
  await expect(page).toHaveURL(/\/help\/accounts$/);
  const guide = page.locator('article.guide');
  await expect(guide.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  // The screenshot is served and loads.
  const shot = guide.locator('img').first();
  await expect(shot).toHaveAttribute('src', '/guide/accounts.png');
  await expect.poll(() => shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  // Links between guide pages stay inside the app.
  await guide.getByRole('link', { name: 'Import and export' }).first().click();
  await expect(page).toHaveURL(/\/help\/import(#[a-z-]+)?$/);
  await page.getByRole('link', { name: 'User guide: contents' }).click();
  await expect(page).toHaveURL(/\/help$/);
  await expect(page.locator('article.guide h1')).toBeVisible();
  // From the board, the guide's page about opportunities; an unknown page is "not found".
  await open(page, '/pipeline');
  await page.getByRole('link', { name: 'Help for this page (user guide)' }).click();
  await expect(page).toHaveURL(/\/help\/opportunities$/);
  await open(page, '/help/no-such-page');
  await expect(page.getByRole('alert').or(page.locator('.banner-error'))).toContainText(/not found|does not exist/i);
});
