import { test, expect } from '@playwright/test';
import { open, signIn, watchErrors, SALES_A, SALES_B } from './helpers';

// Advanced find: a salesperson builds "accounts in Šumadija, category A, with no completed activity in
// the last 90 days" with the keyboard-friendly builder, runs it, sorts, saves it as a team view, exports
// it; the saved view's results render without JavaScript; a salesperson of another team sees neither
// the view nor the accounts.

const STAMP = Date.now().toString().slice(-6);
const QUIET = `Tihi Kupac ${STAMP}`;
const OTHER_REGION = `Beogradska Livnica ${STAMP}`;
const OTHER_CATEGORY = `Oplenac Vinarija ${STAMP}`;
const VIEW = `Šumadija A tiho ${STAMP}`;

async function newAccount(page, name: string, region: string, category: string) {
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill(name);
  await page.getByLabel('Region').fill(region);
  await page.getByLabel('Category').selectOption(category);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
}

test('build, run, save and share an advanced find', async ({ page, browser }) => {
  // Three accounts, a query built step by step, an export and two more sessions: longer than one page.
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await signIn(page, SALES_A);
  await newAccount(page, QUIET, 'Šumadija', 'A');
  await newAccount(page, OTHER_REGION, 'Beograd', 'A');
  await newAccount(page, OTHER_CATEGORY, 'Šumadija', 'B');

  await open(page, '/find');
  await expect(page.getByRole('heading', { name: 'Advanced find' })).toBeVisible();
  await expect(page.getByLabel('Look for')).toHaveValue('account');

  // Region equals Šumadija.
  await page.getByRole('button', { name: '+ Condition' }).click();
  await page.getByLabel('Field').first().selectOption({ label: 'Region' });
  await expect(page.getByLabel('Comparison').first()).toHaveValue('eq');
  await page.getByLabel('Value').first().selectOption('Šumadija');
  // Category equals A.
  await page.getByRole('button', { name: '+ Condition' }).first().click();
  await page.getByLabel('Field').nth(1).selectOption({ label: 'Category' });
  await page.getByLabel('Value').nth(1).selectOption('A');
  // No completed activity in the last 90 days.
  await page.getByLabel('+ Related records…').first().selectOption({ label: 'Activities' });
  await page.getByLabel('Has', { exact: true }).selectOption('has_none');
  const related = page.locator('.find-related');
  await related.getByRole('button', { name: '+ Condition' }).click();
  await related.getByLabel('Field').selectOption({ label: 'Status' });
  await related.getByLabel('Value').selectOption('completed');
  await related.getByRole('button', { name: '+ Condition' }).click();
  await related.getByLabel('Field').nth(1).selectOption({ label: 'Completed on' });
  await related.getByLabel('Comparison').nth(1).selectOption('last_days');
  await related.getByLabel('days').fill('90');
  await related.getByLabel('days').press('Tab');

  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect(page).toHaveURL(/\/find\?query=/);
  const table = page.locator('#find-table');
  await expect(table.getByRole('link', { name: QUIET })).toBeVisible();
  await expect(table.getByText(OTHER_REGION)).toHaveCount(0);
  await expect(table.getByText(OTHER_CATEGORY)).toHaveCount(0);
  // The builder shows the query it ran, so it can be refined.
  await expect(page.getByLabel('Field').first()).toHaveValue('region');

  // Headers sort; the query stays in the address.
  await table.getByRole('link', { name: 'Name' }).click();
  await expect(page.locator('#find-table th[aria-sort="descending"]')).toHaveCount(1);
  await expect(page.locator('#find-table').getByRole('link', { name: QUIET })).toBeVisible();

  // Save as a team view: it opens by its id and is offered in the chooser.
  await page.getByText('Save as new view').click();
  await page.getByLabel('View name').fill(VIEW);
  await page.getByLabel('Shared with').selectOption('team');
  await page.locator('#view-save').click();
  await expect(page).toHaveURL(/\/find\?view=\d+$/);
  await expect(page.getByText(`View: ${VIEW}`)).toBeVisible();
  const viewUrl = page.url();
  await expect(page.getByLabel('Saved views').locator('option', { hasText: VIEW })).toHaveCount(1);
  await expect(page.locator('#find-table').getByRole('link', { name: QUIET })).toBeVisible();

  // Export with the view's columns.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  expect(text).toContain('Name');
  expect(text).toContain(QUIET);
  expect(text).not.toContain(OTHER_REGION);

  // Without JavaScript the saved view's results still render.
  const state = await page.context().storageState();
  const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: state });
  const p2 = await nojs.newPage();
  await p2.goto(viewUrl);
  await expect(p2.locator('#find-table').getByRole('link', { name: QUIET })).toBeVisible();
  await nojs.close();

  // A bad query in the address is answered in words, not with a broken page.
  await open(page, '/find?query=%7Bbroken');
  await expect(page.getByRole('alert')).toBeVisible();
  expect(errors).toEqual([]);

  // Another team's salesperson neither sees the team view nor the accounts.
  const other = await browser.newContext();
  const p3 = await other.newPage();
  await signIn(p3, SALES_B);
  await open(p3, '/find');
  await expect(p3.getByLabel('Saved views').locator('option', { hasText: VIEW })).toHaveCount(0);
  await open(p3, viewUrl.replace(/\/find\?view=/, '/find?view='));
  await expect(p3.getByRole('alert')).toBeVisible();
  await other.close();
});
