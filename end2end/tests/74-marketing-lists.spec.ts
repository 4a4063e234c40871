import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { SALES_A, SALES_B, open, readXlsx, signIn, watchErrors } from './helpers';

// A marketer builds a static list of contacts: members from a file (one row unmatched) and from a
// record page's address, removes one, exports the rest, and locks the list so its members stay.

const run = Date.now().toString(36);

async function newContact(page: Page, first: string, last: string, email: string): Promise<string> {
  await open(page, '/contacts/new');
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill(last);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  return page.url();
}

test('a static list of contacts: members from a file and a record link, removed, exported, locked', async ({ page }) => {
  const errors = watchErrors(page);
  const listName = `Sajam ${run}`;
  await signIn(page, SALES_A);
  await newContact(page, 'Lana', `Listić ${run}`, `lana.${run}@sajam.rs`);
  const mina = await newContact(page, 'Mina', `Listić ${run}`, `mina.${run}@sajam.rs`);
  await newContact(page, 'Vera', `Listić ${run}`, `vera.${run}@sajam.rs`);

  await open(page, '/marketing/lists');
  await page.getByRole('link', { name: 'New marketing list' }).click();
  await expect(page).toHaveURL(/\/marketing\/lists\/new$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByLabel('Name').fill(listName);
  await page.getByLabel('Members are').selectOption('contact');
  await page.getByLabel('List type').selectOption('static');
  await page.getByLabel('Purpose').fill('Poziv na sajam');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/marketing\/lists\/\d+$/);
  await expect(page.getByRole('heading', { name: listName })).toBeVisible();
  const listPath = new URL(page.url()).pathname;

  // From a file: two e-mail addresses match, one row does not.
  const csv = `Ime;E-pošta\nLana;LANA.${run}@sajam.rs\nNiko;niko.${run}@nigde.rs\nVera;vera.${run}@sajam.rs\n`;
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'sajam.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('#file-outcome')).toContainText('Added: 2');
  await expect(page.locator('#file-outcome')).toContainText('Rows of the file without a match (1): 3');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);

  // A file without a column to find anyone by is refused, naming why.
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'firme.csv', mimeType: 'text/csv', buffer: Buffer.from('Naziv;Grad\nDelta;Niš\n') });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('#file-outcome')).toContainText('has no column of e-mail addresses, PIBs or Veza ids');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);

  // From a record page's address, pasted; an account's link is skipped, other text listed.
  await page.getByLabel('Record links or Veza ids').fill(`${mina}\n/accounts/1 nije-link`);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#links-outcome')).toContainText('Added: 1');
  await expect(page.locator('#links-outcome')).toContainText('Skipped');
  await expect(page.locator('#links-outcome')).toContainText('nije-link');
  const table = page.locator('#members-table');
  await expect(table.getByRole('link', { name: `Mina Listić ${run}` })).toBeVisible();
  await expect(page.locator('#member-figures')).toContainText('3');

  // Remove one, without reloading the page (after a confirmation).
  await page.getByLabel(`Select Mina Listić ${run}`).check();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Remove selected' }).click();
  await expect(page.getByRole('region', { name: 'Bulk action' })).toContainText('1 done');
  await expect(table.getByRole('link', { name: `Mina Listić ${run}` })).toHaveCount(0);
  await expect(table.getByRole('link', { name: `Lana Listić ${run}` })).toBeVisible();

  // Export: the members as shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const rows = readXlsx(fs.readFileSync((await download.path())!));
  expect(rows[0].slice(0, 3)).toEqual(['Name', 'Account', 'Email']);
  expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([`Lana Listić ${run}`, `Vera Listić ${run}`]);

  // Lock: the members stay as they are; the ways to change them are gone until it is unlocked.
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.locator('#locked-badge')).toBeVisible();
  await expect(page.getByText('This list is locked: its members cannot change until it is unlocked.')).toBeVisible();
  await expect(page.locator('#add-members')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Remove selected' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeVisible();
  await open(page, `${listPath}?tab=history`);
  await expect(page.getByRole('cell', { name: 'Member removed' })).toBeVisible();
  await expect(page.locator('td.old', { hasText: `Mina Listić ${run}` })).toBeVisible();

  // Another team's salesperson neither finds the list nor opens it.
  await page.context().clearCookies();
  await signIn(page, SALES_B);
  await open(page, '/marketing/lists');
  await expect(page.getByRole('link', { name: listName })).toHaveCount(0);
  const res = await page.goto(listPath);
  expect(res?.status()).toBe(404);
  expect(errors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('lists and a list\'s members read, filter and take a pasted link', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(SALES_A.email);
    await page.getByLabel('Password').fill(SALES_A.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();

    await page.goto(`/marketing/lists?q=${encodeURIComponent(`sajam ${run}`)}`);
    await page.getByRole('link', { name: `Sajam ${run}` }).click();
    await expect(page.getByRole('heading', { name: `Sajam ${run}` })).toBeVisible();
    await expect(page.locator('#members-table').getByRole('link', { name: `Vera Listić ${run}` })).toBeVisible();
    await page.locator('#member-filters').getByRole('searchbox').fill('lana');
    await page.locator('#member-filters').getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/q=lana/);
    await expect(page.locator('#members-table tbody tr')).toHaveCount(1);

    // A new list, and a member added by a pasted id: plain forms.
    await page.goto('/marketing/lists/new');
    await page.getByLabel('Name').fill(`Bez skripte ${run}`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.goto(`/marketing/lists?q=${encodeURIComponent(`bez skripte ${run}`)}`);
    await page.getByRole('link', { name: `Bez skripte ${run}` }).click();
    const contact = await page.request.get(`/contacts?q=${encodeURIComponent(`vera listić ${run}`)}`);
    const id = /\/contacts\/(\d+)/.exec(await contact.text())?.[1];
    expect(id).toBeTruthy();
    await page.getByLabel('Record links or Veza ids').fill(id!);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('#members-table').getByRole('link', { name: `Vera Listić ${run}` })).toBeVisible();
  });
});
