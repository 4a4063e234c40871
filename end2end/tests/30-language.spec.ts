import { test, expect } from '@playwright/test';
import { SALES_A, open, signIn } from './helpers';

test('the user switches to Serbian and sees Serbian texts, numbers and dates', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/opportunities?q=rashladna');
  await expect(page.getByRole('cell', { name: '1,500,000.00 RSD' })).toBeVisible();
  await page.getByRole('button', { name: 'Language: SR' }).click();
  await expect(page.getByRole('heading', { name: 'Prodajne prilike' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByRole('cell', { name: '1.500.000,00 RSD' })).toBeVisible();
  await expect(page.getByRole('cell', { name: '31.03.2027.' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Preduzeća' })).toBeVisible();
  // The choice is remembered across pages, and can be switched back.
  await open(page, '/accounts');
  await expect(page.getByRole('heading', { name: 'Preduzeća' })).toBeVisible();
  await page.getByRole('button', { name: 'Jezik: EN' }).click();
  await expect(page.getByRole('heading', { name: 'Accounts' })).toBeVisible();
});
