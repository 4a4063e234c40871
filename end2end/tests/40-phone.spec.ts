import { test, expect } from '@playwright/test';
import { SALES_A, open, signIn } from './helpers';

test('board, lists and forms fit a phone screen', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/pipeline');
  await expect(page.locator('section.column').first()).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390 + 1);
  await page.screenshot({ path: 'test-results/board-phone.png', fullPage: false });
  await open(page, '/accounts');
  await expect(page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391);
});
