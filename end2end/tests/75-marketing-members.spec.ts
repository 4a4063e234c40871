import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { ADMIN, SALES_A, open, readXlsx, signIn, watchErrors } from './helpers';

// A record's own marketing lists and contact preferences, and a list's members acted on in bulk:
// - a salesperson ticks "Do not call" on a new contact, adds it to two lists from its page (one of
//   them then locked, which the panel shows and keeps), takes it off the other, and changes the
//   preferences — the page, the list and the history say so; accounts and leads have the same;
// - an administrator imports contacts with a "Ne zvati" column (a bad value rejected by name), puts
//   them on a list, and on the list's page ticks members one by one or "all N matching": adds them to
//   another list (a job with a progress bar), exports the ticked ones, and takes the "do not call" ones
//   off the list.

const run = Date.now().toString(36);

async function newList(page: Page, name: string, kind = 'contact'): Promise<string> {
  await open(page, '/marketing/lists/new');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Members are').selectOption(kind);
  await page.getByLabel('List type').selectOption('static');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/marketing\/lists\/\d+$/);
  await expect(page.getByRole('heading', { name })).toBeVisible();
  return new URL(page.url()).pathname;
}

test('a contact joins and leaves lists from its page; its preferences are set, shown and in its history', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const [fair, calls] = [`Sajam stranica ${run}`, `Pozivi stranica ${run}`];
  await signIn(page, SALES_A);
  const fairPath = await newList(page, fair);
  const callsPath = await newList(page, calls);

  await open(page, '/contacts/new');
  await page.getByLabel('First name').fill('Tamara');
  await page.getByLabel('Last name').fill(`Tiha ${run}`);
  await page.getByLabel('Email').fill(`tamara.${run}@tiha.rs`);
  await page.getByLabel('Do not call').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  const contactPath = new URL(page.url()).pathname;
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toContainText('Do not call');
  await expect(heading).not.toContainText('Do not e-mail');
  await expect(page.getByLabel('Do not call')).toBeChecked();

  // The panel: in no list yet; added to both.
  const panel = page.locator('#marketing-lists-panel');
  await expect(panel).toContainText('Not in any marketing list.');
  await panel.getByLabel('Choose a list').selectOption({ label: fair });
  await panel.getByRole('button', { name: 'Add to a list' }).click();
  await expect(panel.getByRole('link', { name: fair })).toBeVisible();
  await panel.getByLabel('Choose a list').selectOption({ label: calls });
  await panel.getByRole('button', { name: 'Add to a list' }).click();
  await expect(panel.getByRole('link', { name: calls })).toBeVisible();
  await expect(panel.getByLabel('Choose a list').locator('option', { hasText: fair })).toHaveCount(0);

  // A locked list stays: no Remove, shown as locked.
  await open(page, callsPath);
  await expect(page.locator('#members-table').getByRole('link', { name: `Tamara Tiha ${run}` })).toBeVisible();
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.locator('#locked-badge')).toBeVisible();
  await open(page, contactPath);
  const lockedItem = panel.getByRole('listitem').filter({ has: page.getByRole('link', { name: calls }) });
  await expect(lockedItem).toContainText('Locked');
  await expect(panel.getByRole('button', { name: `Remove ${calls}` })).toHaveCount(0);

  // Off the other list, from the page.
  await panel.getByRole('button', { name: `Remove ${fair}` }).click();
  await expect(panel.getByRole('link', { name: fair })).toHaveCount(0);
  await expect(panel.getByLabel('Choose a list').locator('option', { hasText: fair })).toHaveCount(1);
  await open(page, `${fairPath}?tab=history`);
  await expect(page.getByRole('cell', { name: 'Member removed' })).toBeVisible();

  // The preferences change: e-mail off limits, calls allowed again.
  await open(page, contactPath);
  await page.getByLabel('Do not call').uncheck();
  await page.getByLabel('Do not e-mail').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(heading).toContainText('Do not e-mail');
  await expect(heading).not.toContainText('Do not call');
  await open(page, `/contacts?q=${encodeURIComponent(`tiha ${run}`)}`);
  await expect(page.getByRole('row').filter({ hasText: `Tamara Tiha ${run}` })).toContainText('Do not e-mail');
  await open(page, `${contactPath}?tab=history`);
  const callRow = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Do not call', exact: true }) }).first();
  await expect(callRow.locator('td.old')).toHaveText('Yes');
  await expect(callRow.locator('td.new')).toHaveText('No');

  // An account marked inactive, and a lead that asked not to be sent mail, each with the panel.
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill(`Ugašena ${run} d.o.o.`);
  await page.getByLabel('Inactive: we no longer work with this company').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.locator('#inactive-badge')).toHaveText('Inactive');
  await expect(page.locator('#marketing-lists-panel')).toContainText('Not in any marketing list.');
  await open(page, '/leads/new');
  await page.getByLabel('Company').fill(`Mirna ${run}`);
  await page.getByLabel('Do not send mail').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await expect(heading).toContainText('Do not send mail');
  await expect(page.locator('#marketing-lists-panel')).toBeVisible();

  expect(errors).toEqual([]);
});

test('a list\'s members: ticked or all matching, added to another list, exported, taken off', async ({ page }) => {
  test.setTimeout(150_000); // an import and two jobs
  const errors = watchErrors(page);
  const [expo, callers] = [`Izložba ${run}`, `Obilazak ${run}`];
  // 60 contacts from a file, every third not to be called; one row with a bad value.
  const lines = ['Ime;Prezime;E-mail;Ne zvati'];
  for (let i = 1; i <= 60; i++) {
    lines.push(`Član${String(i).padStart(2, '0')};Izložbeni ${run};clan${i}.${run}@izlozba.rs;${i % 3 === 0 ? 'da' : 'ne'}`);
  }
  lines.push(`Loša;Vrednost ${run};losa.${run}@izlozba.rs;možda`);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('contact');
  await page.getByLabel('File').setInputFiles({ name: 'izlozba-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n', 'utf-8') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review', { timeout: 30_000 });
  await expect(page.getByText('Do not call should be yes or no (da/ne, 1/0, true/false)')).toBeVisible();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });

  // Onto a list from the contacts' own bulk bar.
  const expoPath = await newList(page, expo);
  const callersPath = await newList(page, callers);
  await open(page, `/contacts?q=${encodeURIComponent(`izlozbeni ${run}`)}`);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await page.getByRole('button', { name: /^Select all 60/ }).click();
  const contactsBar = page.getByRole('region', { name: 'Actions on the selected records' });
  await contactsBar.getByLabel('Marketing list to add the selection to').selectOption({ label: expo });
  await contactsBar.getByRole('button', { name: 'Add to marketing list' }).click();
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });

  // On the list's page: all 60 matching to another list, as a job.
  await open(page, expoPath);
  await expect(page.locator('#member-figures')).toContainText('60');
  const bar = page.getByRole('region', { name: 'Actions on the selected members' });
  await expect(bar).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await expect(bar).toContainText('50 selected');
  await page.getByRole('button', { name: /^Select all 60/ }).click();
  await expect(bar).toContainText('60 selected');
  await bar.getByLabel('Another list to add the selected members to').selectOption({ label: callers });
  await expect(bar.getByLabel('Another list to add the selected members to').locator('option', { hasText: expo })).toHaveCount(0);
  await bar.getByRole('button', { name: 'Add to another list' }).click();
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(page.locator('section.job')).toContainText('60 done');
  await open(page, callersPath);
  await expect(page.locator('#member-figures')).toContainText('60');

  // Two ticked members exported: only they are in the file.
  await open(page, expoPath);
  await page.getByRole('checkbox', { name: `Select Član02 Izložbeni ${run}` }).check();
  await page.getByRole('checkbox', { name: `Select Član03 Izložbeni ${run}` }).check();
  await expect(bar).toContainText('2 selected');
  const [download] = await Promise.all([page.waitForEvent('download'), bar.getByRole('link', { name: 'Export selected (XLSX)' }).click()]);
  const rows = readXlsx(fs.readFileSync((await download.path())!));
  expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([`Član02 Izložbeni ${run}`, `Član03 Izložbeni ${run}`]);
  expect(rows[0]).toContain('Do not call');

  // The "do not call" ones off the list: the filter, the page ticked, removed after a confirmation.
  await open(page, `${expoPath}?flag=do_not_call`);
  await expect(page.locator('#members-table tbody tr')).toHaveCount(20);
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  page.once('dialog', (d) => d.accept());
  await bar.getByRole('button', { name: 'Remove selected' }).click();
  const summary = page.getByRole('region', { name: 'Bulk action' });
  await expect(summary).toContainText('20 done');
  await expect(page.getByText('No members match.')).toBeVisible();
  await open(page, expoPath);
  await expect(page.locator('#member-figures')).toContainText('40');
  await open(page, `${expoPath}?tab=history`);
  await expect(page.getByRole('cell', { name: 'Member removed' }).first()).toBeVisible();

  // A locked list's members can still be exported and given to another list, not removed.
  await open(page, callersPath);
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.locator('#locked-badge')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await expect(bar).toContainText('50 selected');
  await expect(bar.getByRole('button', { name: 'Remove selected' })).toHaveCount(0);
  await expect(bar.getByRole('link', { name: 'Export selected (CSV)' })).toBeVisible();
  expect(errors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a contact\'s panel adds it to a list with a plain form', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(SALES_A.email);
    await page.getByLabel('Password').fill(SALES_A.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
    await page.goto(`/contacts?q=${encodeURIComponent(`tiha ${run}`)}`);
    await page.getByRole('link', { name: `Tamara Tiha ${run}` }).click();
    const panel = page.locator('#marketing-lists-panel');
    await expect(panel.getByRole('link', { name: `Pozivi stranica ${run}` })).toBeVisible();
    await panel.getByLabel('Choose a list').selectOption({ label: `Sajam stranica ${run}` });
    await panel.getByRole('button', { name: 'Add to a list' }).click();
    await expect(page).toHaveURL(/\/contacts\/\d+/);
    await expect(panel.getByRole('link', { name: `Sajam stranica ${run}` })).toBeVisible();
  });
});
