import { test, expect, Page } from '@playwright/test';
import { ADMIN, SALES_A, open, signIn } from './helpers';

// Bulk actions on the lists: ticked rows get a new owner at once; "select all N matching" runs as a job
// whose progress bar reaches done; a deleted selection is in the trash; ticked accounts join a marketing
// list.

const run = Date.now().toString(36);

async function newAccount(page: Page, name: string, region: string) {
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill(name);
  await page.getByLabel('Region').fill(region);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

test('ticked accounts get a new owner, and the list shows it', async ({ page }) => {
  const region = `Zbirni ${run}`;
  // Names late in the alphabet, so the accounts other specs look for stay on the list's first page.
  const names = ['Zlatara Kovačević', 'Zvezda Transport', 'Žitopromet Vojvodina'].map((n) => `${n} ${run}`);
  await signIn(page, SALES_A);
  for (const n of names) await newAccount(page, n, region);

  await open(page, `/accounts?region=${encodeURIComponent(region)}`);
  await expect(page.getByRole('row')).toHaveCount(4);
  // Nothing ticked: no bar.
  await expect(page.getByRole('region', { name: 'Actions on the selected records' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: `Select ${names[0]}` }).check();
  // The keyboard ticks the second.
  await page.getByRole('checkbox', { name: `Select ${names[1]}` }).focus();
  await page.keyboard.press('Space');
  const bar = page.getByRole('region', { name: 'Actions on the selected records' });
  await expect(bar).toContainText('2 selected');
  await expect(page.getByRole('checkbox', { name: 'Select all on this page' })).not.toBeChecked();

  // Assigning without choosing whom says so.
  await bar.getByRole('button', { name: 'Assign owner' }).click();
  await expect(page.getByRole('alert')).toContainText('Owner');
  await bar.getByLabel('New owner of the selected records').selectOption({ label: ADMIN.name });
  await bar.getByRole('button', { name: 'Assign owner' }).click();

  const summary = page.getByRole('region', { name: 'Bulk action' });
  await expect(summary).toContainText('Done');
  await expect(summary).toContainText('2 done');
  await expect(page.getByRole('status').filter({ hasText: 'The bulk action is finished.' })).toBeVisible();
  await expect(bar).toHaveCount(0);
  await expect(row(page, names[0])).toContainText(ADMIN.name);
  await expect(row(page, names[1])).toContainText(ADMIN.name);
  await expect(row(page, names[2])).toContainText(SALES_A.name);

  // The change is in the account's history like a single edit.
  await row(page, names[0]).getByRole('link', { name: names[0] }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await open(page, `${new URL(page.url()).pathname}?tab=history`);
  await expect(page.getByRole('row').filter({ hasText: SALES_A.name }).filter({ hasText: ADMIN.name }).first()).toBeVisible();
});

test('"select all matching" runs as a job whose progress bar reaches done', async ({ page }) => {
  // More accounts than a page holds, imported by the administrator.
  const region = `Masovni ${run}`;
  const lines = ['Name;Region'];
  for (let i = 1; i <= 60; i++) lines.push(`Zmasovna ${run} br ${String(i).padStart(2, '0')} ${['sever', 'jug', 'istok', 'zapad'][i % 4]} ${i * 7919};${region}`);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('account');
  await page.getByLabel('File').setInputFiles({ name: 'masovni-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n', 'utf-8') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });

  await open(page, `/accounts?region=${encodeURIComponent(region)}`);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  const bar = page.getByRole('region', { name: 'Actions on the selected records' });
  await expect(bar).toContainText('50 selected');
  await page.getByRole('button', { name: 'Select all 60 matching the filters' }).click();
  await expect(bar).toContainText('60 selected');
  await expect(page.getByText('Selected: every record matching the filters, 60.')).toBeVisible();
  await bar.getByLabel('New owner of the selected records').selectOption({ label: SALES_A.name });
  await bar.getByRole('button', { name: 'Assign owner' }).click();

  const job = page.getByRole('region', { name: 'Bulk action' });
  const progress = job.getByRole('progressbar', { name: 'Progress' });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(job).toContainText('Done');
  await expect(job).toContainText('60 / 60 · 60 done');
  await expect(page.getByRole('status').filter({ hasText: 'The bulk action is finished.' })).toBeVisible();
  // The list reloaded with the new owner, on every page of it.
  await expect(page.getByRole('row').filter({ hasText: `Zmasovna ${run}` }).filter({ hasText: ADMIN.name })).toHaveCount(0);
  await open(page, `/accounts?region=${encodeURIComponent(region)}`);
  await expect(page.getByRole('row').filter({ hasText: SALES_A.name })).toHaveCount(50);
});

test('a deleted selection goes to the trash', async ({ page }) => {
  const company = `Brisanje ${run}`;
  await signIn(page, SALES_A);
  for (const last of ['Prvić', 'Drugić']) {
    await open(page, '/leads/new');
    await page.getByLabel('Company').fill(company);
    await page.getByLabel('First name').fill('Zbirni');
    await page.getByLabel('Last name').fill(last);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/leads\/\d+$/);
  }
  await open(page, `/leads?q=${encodeURIComponent(company)}`);
  await expect(page.getByRole('row')).toHaveCount(3);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  const bar = page.getByRole('region', { name: 'Actions on the selected records' });
  await expect(bar).toContainText('2 selected');
  // No "all matching" banner when the page holds every match.
  await expect(page.getByRole('button', { name: /^Select all \d+ matching/ })).toHaveCount(0);
  page.once('dialog', (d) => d.accept());
  await bar.getByRole('button', { name: 'Delete selected' }).click();
  const summary = page.getByRole('region', { name: 'Bulk action' });
  await expect(summary).toContainText('2 done');
  await expect(page.getByText('Nothing found.')).toBeVisible();

  await open(page, '/trash');
  await expect(page.getByRole('row').filter({ hasText: `Zbirni Prvić · ${company}` })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: `Zbirni Drugić · ${company}` })).toBeVisible();
});

test('ticked accounts join a static marketing list; those already in are counted', async ({ page }) => {
  const region = `Listovni ${run}`;
  const listName = `Zbirna lista ${run}`;
  const names = ['Zora Pekara', 'Zenit Promet'].map((n) => `${n} ${run}`);
  await signIn(page, SALES_A);
  for (const n of names) await newAccount(page, n, region);
  await open(page, '/marketing/lists/new');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByLabel('Name').fill(listName);
  await page.getByLabel('Members are').selectOption('account');
  await page.getByLabel('List type').selectOption('static');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/marketing\/lists\/\d+$/);
  const listPath = new URL(page.url()).pathname;

  await open(page, `/accounts?region=${encodeURIComponent(region)}`);
  // The list's head offers advanced find for accounts.
  await expect(page.locator('#main').getByRole('link', { name: 'Advanced find' })).toHaveAttribute('href', '/find?entity=account');
  await page.getByRole('checkbox', { name: `Select ${names[0]}` }).check();
  const bar = page.getByRole('region', { name: 'Actions on the selected records' });
  // Adding without choosing a list says so.
  await bar.getByRole('button', { name: 'Add to marketing list' }).click();
  await expect(page.getByRole('alert')).toContainText('Marketing list');
  await bar.getByLabel('Marketing list to add the selection to').selectOption({ label: listName });
  await bar.getByRole('button', { name: 'Add to marketing list' }).click();
  const summary = page.getByRole('region', { name: 'Bulk action' });
  await expect(summary).toContainText('1 done');

  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await bar.getByLabel('Marketing list to add the selection to').selectOption({ label: listName });
  await bar.getByRole('button', { name: 'Add to marketing list' }).click();
  await expect(summary).toContainText('2 done (1 of them already in the list)');

  await open(page, listPath);
  for (const n of names) await expect(page.getByRole('link', { name: n })).toBeVisible();
});
