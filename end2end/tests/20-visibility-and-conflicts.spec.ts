import { test, expect } from '@playwright/test';
import { SALES_A, SALES_B, open, signIn } from './helpers';

test("a salesperson cannot open another team's opportunity by URL", async ({ browser }) => {
  const a = await browser.newPage();
  await signIn(a, SALES_A);
  await open(a, '/opportunities?q=rashladna');
  await a.getByRole('link', { name: 'Rashladna komora 2027' }).click();
  await expect(a).toHaveURL(/\/opportunities\/\d+$/);
  const url = a.url();

  const b = await browser.newPage();
  await signIn(b, SALES_B);
  await b.goto(url);
  await expect(b.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(b.getByText('Rashladna komora 2027')).toHaveCount(0);
  // Nor does it appear in their lists or on their board.
  await open(b, '/opportunities');
  await expect(b.getByText('Rashladna komora 2027')).toHaveCount(0);
  await open(b, '/pipeline');
  await expect(b.getByText('Rashladna komora 2027')).toHaveCount(0);
});

test('a stale edit is refused as a conflict and keeps what the user typed', async ({ browser }) => {
  const first = await browser.newPage();
  const second = await browser.newPage();
  await signIn(first, SALES_A);
  await signIn(second, SALES_A);
  await open(first, '/accounts?q=mlekara');
  await first.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(first).toHaveURL(/\/accounts\/\d+$/);
  await open(second, new URL(first.url()).pathname);
  await expect(first.locator('body[data-hydrated="true"]')).toHaveCount(1);

  await first.getByLabel('Industry').fill('Prehrambena industrija');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first.getByRole('status')).toContainText('Saved');

  await second.getByLabel('Industry').fill('Mlekarstvo');
  await second.getByRole('button', { name: 'Save' }).click();
  await expect(second.getByText('Someone else saved this record')).toBeVisible();
  await expect(second.getByLabel('Industry')).toHaveValue('Mlekarstvo');

  await second.reload();
  await expect(second.getByLabel('Industry')).toHaveValue('Prehrambena industrija');
});
