import { expect, Page } from '@playwright/test';

export const ADMIN = { email: 'admin@veza.test', password: 'admin-lozinka-1', name: 'Ana Admin' };
export const SALES_A = { email: 'sales.a@veza.test', password: 'sales-lozinka-1', name: 'Sava Prodavac' };
export const SALES_B = { email: 'sales.b@veza.test', password: 'sales-lozinka-2', name: 'Bojan Drugi' };

/** Opens a page, retrying while the server starts, and waits until the app is hydrated. */
export async function open(page: Page, path: string) {
  for (let i = 0; i < 60; i++) {
    try {
      await page.goto(path);
      break;
    } catch (e) {
      if (i === 59) throw e;
      await page.waitForTimeout(1000);
    }
  }
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

export async function signIn(page: Page, user: { email: string; password: string }) {
  await open(page, '/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}
