import { test, expect } from '@playwright/test';
import { SALES_A } from './helpers';

// With JavaScript off, every page still renders on the server and can be read; even sign-in works.
test('pages render and read without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(SALES_A.email);
  await page.getByLabel('Password').fill(SALES_A.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline' })).toBeVisible();

  await page.goto('/');
  await expect(page.locator('section.column').first()).toBeVisible();
  await expect(page.getByText('Rashladna komora 2027')).toBeVisible();

  await page.goto('/accounts?q=mlekara');
  await expect(page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.getByLabel('City')).toHaveValue('Šabac');
  await expect(page.getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();

  await page.goto('/contacts');
  await expect(page.getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();
  await page.goto('/opportunities');
  await expect(page.getByRole('link', { name: 'Rashladna komora 2027' })).toBeVisible();

  // The top-bar search is a plain form.
  await page.getByRole('searchbox', { name: 'Search accounts, contacts and opportunities' }).fill('mlekara');
  await page.getByRole('searchbox', { name: 'Search accounts, contacts and opportunities' }).press('Enter');
  await expect(page).toHaveURL(/\/search\?q=mlekara/);
  await expect(page.locator('ul.search-results').getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
});
