import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { ADMIN, open, signIn, watchErrors } from './helpers';


/** Text in Windows-1250, as Serbian Excel saves CSV: š is 0x9A. */
function cp1250(text: string): Buffer {
  const map: Record<string, number> = { 'š': 0x9a, 'Š': 0x8a, 'č': 0xe8, 'ć': 0xe6, 'ž': 0x9e, 'đ': 0xf0 };
  return Buffer.from(Array.from(text).map((c) => map[c] ?? c.charCodeAt(0)));
}

async function downloadText(page: Page, click: () => Promise<void>): Promise<{ name: string; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), body: fs.readFileSync(path!) };
}

test('an administrator imports accounts: maps a column by hand, updates a duplicate, downloads the rejects, undoes it', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('account');
  const csv = cp1250(
    'Naziv firme;PIB;Grad;Kontakt telefon;E-mail;Tip\r\n' +
      'MLEKARA SABAC DOO;100002887;sabac;015 123 456;prodaja@mlekara-e2e.rs;kupac\r\n' +
      'IMPORT PROBA TRGOVINA DOO;;Beograd;011/555-1234;info@proba-e2e.rs;kupac\r\n' +
      'Loša Firma;123456789;Niš;;;kupac\r\n',
  );
  await page.getByLabel('File').setInputFiles({ name: 'kupci-e2e.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const importUrl = page.url();
  await expect(page.getByText('Accounts · Windows-1250')).toBeVisible();

  // The headers were matched in Serbian; "Kontakt telefon" is mapped by hand.
  await expect(page.getByLabel('Naziv firme')).toHaveValue('name');
  await expect(page.getByLabel('Kontakt telefon')).toHaveValue('');
  await page.getByLabel('Kontakt telefon').selectOption('phone');
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');

  // The existing company is found by its PIB; its fields side by side.
  const group = page.locator('.dup-group');
  await expect(group).toHaveCount(1);
  await expect(group).toContainText('matched by Tax ID (PIB)');
  await expect(group.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await group.locator('select.decision').selectOption('skip');
  await expect(page.getByText('Saved').first()).toBeVisible();
  await expect(group.getByLabel('When updating — Phone')).toBeDisabled();
  await group.locator('select.decision').selectOption('update');
  await expect(group.getByLabel('When updating — Phone')).toBeEnabled();
  await group.getByLabel('When updating — Phone').selectOption('overwrite');
  // The rejected row and its reason; the preview shows the cleaning, before → after.
  await expect(page.locator('#rejects')).toContainText('Tax ID (PIB) is not a valid PIB');
  await expect(page.locator('#preview')).toContainText('Import Proba Trgovina d.o.o.');
  await expect(page.locator('#preview')).toContainText('was: IMPORT PROBA TRGOVINA DOO');
  await expect(page.locator('#preview')).toContainText('+381115551234');

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.locator('#stat-created .stat-value')).toHaveText('1');
  await expect(page.locator('#stat-updated .stat-value')).toHaveText('1');
  await expect(page.locator('#stat-rejected .stat-value')).toHaveText('1');

  // The rejected rows download with their reasons, in the file's own letters.
  const rejects = await downloadText(page, () => page.getByRole('link', { name: 'Download rejected rows (CSV)' }).click());
  expect(rejects.name).toBe('kupci-e2e-rejected.csv');
  const text = rejects.body.toString('utf-8');
  expect(text).toContain('Loša Firma;123456789;Niš'.replace(/;/g, ','));
  expect(text).toContain('not a valid PIB');

  // The existing account took the e-mail (empty before) and the phone (overwritten).
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.getByLabel('Email')).toHaveValue('prodaja@mlekara-e2e.rs');
  await expect(page.getByLabel('Phone')).toHaveValue('+38115123456');
  // Its history names the update by the import.
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByText('prodaja@mlekara-e2e.rs').first()).toBeVisible();

  // The list exports as filtered, to CSV and XLSX.
  await open(page, '/accounts?q=proba');
  await expect(page.getByRole('link', { name: 'Import Proba Trgovina d.o.o.' })).toBeVisible();
  const exported = await downloadText(page, () => page.getByRole('link', { name: 'Export CSV' }).click());
  expect(exported.name).toMatch(/^accounts-\d{4}-\d\d-\d\d\.csv$/);
  const rows = exported.body.toString('utf-8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(rows).toHaveLength(2);
  expect(rows[1]).toContain('Import Proba Trgovina d.o.o.');
  const xlsx = await downloadText(page, () => page.getByRole('link', { name: 'Export XLSX' }).click());
  expect(xlsx.name).toMatch(/\.xlsx$/);
  expect(xlsx.body.subarray(0, 2).toString()).toBe('PK');

  // Undo: the created account goes, the updated one gets its values back.
  await open(page, importUrl.replace(/^https?:\/\/[^/]+/, ''));
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Undo import' }).click();
  await expect(page.locator('#import-status')).toHaveText('Undone');
  await open(page, '/accounts?q=proba');
  await expect(page.getByRole('link', { name: 'Import Proba Trgovina d.o.o.' })).toHaveCount(0);
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.getByRole('heading', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue('');
  expect(problems).toEqual([]);
});

test('a similar name is only a suggestion, and the summary names the existing record each row went to', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('account');
  const csv = Buffer.from(
    'Naziv firme;PIB;Grad;E-mail\r\n' +
      // A number in the name: another company, not even a suggestion.
      'MLEKARA ŠABAC 2 DOO;;Šabac;info@mlekara2-e2e.rs\r\n' +
      // A letter apart and no identifier: possibly the existing company.
      'Mlekra Šabac;;Šabac;nabavka@mlekara-sabac-e2e.rs\r\n' +
      // Its PIB: the existing company.
      'MLEKARA ŠABAC;100002887;Šabac;\r\n',
    'utf-8',
  );
  await page.getByLabel('File').setInputFiles({ name: 'slicni-e2e.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const importUrl = page.url().replace(/^https?:\/\/[^/]+/, '');
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');

  const groups = page.locator('.dup-group');
  await expect(groups).toHaveCount(2);
  const byPib = groups.filter({ hasText: 'matched by Tax ID (PIB)' });
  await expect(byPib.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  const suggested = groups.filter({ hasText: 'Possibly the same as' });
  await expect(suggested).toContainText('rows 2');
  await expect(suggested.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  // Kept apart unless the user says otherwise; the user says they are the same.
  await expect(suggested.getByLabel('Different — keep as a record of its own')).toBeChecked();
  await suggested.getByLabel('The same — combine them').check();
  await expect(page.getByText('Saved').first()).toBeVisible();
  // The choice is kept.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.locator('.dup-group').filter({ hasText: 'Possibly the same as' }).getByLabel('The same — combine them')).toBeChecked();

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.locator('#stat-created .stat-value')).toHaveText('1');
  await expect(page.locator('#stat-updated .stat-value')).toHaveText('2');
  await expect(page.locator('#outcome-sentence')).toHaveText(
    'The file held 2 distinct records: 1 created, 1 existing updated, 0 existing left as they were; 0 rows rejected.',
  );
  const existing = page.locator('#outcome-existing tbody tr');
  await expect(existing).toHaveCount(1);
  await expect(existing.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await expect(existing).toContainText('2, 3');
  await expect(existing).toContainText('updated');

  // The existing account took the e-mail; the company with a number is an account of its own.
  await existing.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue('nabavka@mlekara-sabac-e2e.rs');
  await open(page, '/accounts?q=mlekara');
  await expect(page.getByRole('link', { name: 'Mlekara Šabac 2 d.o.o.' })).toBeVisible();

  // Undone, so the other tests find the data as it was.
  await open(page, importUrl);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Undo import' }).click();
  await expect(page.locator('#import-status')).toHaveText('Undone');
  expect(problems).toEqual([]);
});

test('people with their companies import as contacts in one go, creating the companies not in Veza', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('contact');
  const csv = Buffer.from(
    'Ime;Prezime;Firma;E-mail\r\n' +
      'Vesna;Uvozić;ELEKTRO UVOZ E2E DOO;vesna@elektro-uvoz-e2e.rs\r\n' +
      'Goran;Uvozić;Elektro Uvoz E2E d.o.o.;goran@elektro-uvoz-e2e.rs\r\n',
    'utf-8',
  );
  await page.getByLabel('File').setInputFiles({ name: 'ljudi-e2e.csv', mimeType: 'text/csv', buffer: csv });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const importUrl = page.url().replace(/^https?:\/\/[^/]+/, '');
  await expect(page.getByLabel('Create the companies that are not in Veza, with their people')).toBeChecked();
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');
  await expect(page.locator('#new-companies')).toContainText('1 companies the rows name are not in Veza');
  await expect(page.locator('#new-companies li')).toHaveText(['ELEKTRO UVOZ E2E DOO']);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.locator('#stat-created .stat-value')).toHaveText('2');

  // One company, with both people.
  await open(page, '/accounts?q=uvoz');
  await expect(page.getByRole('link', { name: 'Elektro Uvoz E2e d.o.o.' })).toHaveCount(1);
  await page.getByRole('link', { name: 'Elektro Uvoz E2e d.o.o.' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByRole('link', { name: 'Vesna Uvozić' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Goran Uvozić' })).toBeVisible();

  // Undone: the people and the company made for them go.
  await open(page, importUrl);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Undo import' }).click();
  await expect(page.locator('#import-status')).toHaveText('Undone');
  await open(page, '/accounts?q=uvoz');
  await expect(page.getByRole('link', { name: 'Elektro Uvoz E2e d.o.o.' })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('a manager imports a price list from the products page, then updates a price by a second file and undoes it', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/products');
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await expect(page).toHaveURL(/\/imports\?entity=product$/);
  await expect(page.getByLabel('Records')).toHaveValue('product');
  const first = 'Šifra;Naziv;Grupa;JM;Cena;Valuta\r\nE2E-KAB-1;Kabl NYY E2E;Kablovi E2E;m;100,00;din\r\nE2E-SW-1;Sklopka E2E;Sklopke E2E;kom;1.499,50;RSD\r\nE2E-BAD;Pogrešna cena;Kablovi E2E;m;sto;RSD\r\n';
  await page.getByLabel('File').setInputFiles({ name: 'cenovnik-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(first, 'utf-8') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByText('Products · UTF-8')).toBeVisible();
  await expect(page.getByLabel('Šifra')).toHaveValue('code');
  await expect(page.getByLabel('Cena')).toHaveValue('list_price');
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');
  await expect(page.locator('#rejects')).toContainText('List price');
  await expect(page.locator('#preview')).toContainText('1499.50');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.locator('#stat-created .stat-value')).toHaveText('2');
  await expect(page.locator('#stat-rejected .stat-value')).toHaveText('1');

  // A second file with a new price: the product is found by its code, whatever its case.
  await open(page, '/imports?entity=product');
  const second = 'Code,Name,Family,Unit,List price\r\ne2e-kab-1,Kabl NYY E2E,Kablovi E2E,m,"120,50"\r\n';
  await page.getByLabel('File').setInputFiles({ name: 'nove-cene-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(second, 'utf-8') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  const importUrl = page.url();
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');
  const group = page.locator('.dup-group');
  await expect(group).toHaveCount(1);
  await expect(group).toContainText('matched by Code');
  await expect(group.getByRole('link', { name: 'E2E-KAB-1 Kabl NYY E2E' })).toBeVisible();
  await group.getByLabel('When updating — List price').selectOption('overwrite');
  await expect(page.getByText('Saved').first()).toBeVisible();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.locator('#stat-updated .stat-value')).toHaveText('1');
  await open(page, '/products?q=Kabl+NYY+E2E');
  await page.getByRole('link', { name: 'Kabl NYY E2E' }).click();
  await expect(page.getByLabel('List price')).toHaveValue('120.50');

  // Undo: the price comes back.
  await open(page, importUrl.replace(/^https?:\/\/[^/]+/, ''));
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Undo import' }).click();
  await expect(page.locator('#import-status')).toHaveText('Undone');
  await open(page, '/products?q=Kabl+NYY+E2E');
  await page.getByRole('link', { name: 'Kabl NYY E2E' }).click();
  await expect(page.getByLabel('List price')).toHaveValue('100');
  expect(problems).toEqual([]);
});

test('a log of calls kept in Excel is imported and shows on the account timeline', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('Records').selectOption('activity');
  const log = 'Vrsta;Naslov;Datum;Firma;Ishod\r\nPoziv;Poziv iz uvoza E2E;15.10.2026 10:30;Mlekara Šabac d.o.o.;Traže ponudu\r\nGolub;Loša vrsta;15.10.2026;Mlekara Šabac d.o.o.;\r\n';
  await page.getByLabel('File').setInputFiles({ name: 'pozivi-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(log, 'utf-8') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByText('Activities · UTF-8')).toBeVisible();
  await expect(page.getByLabel('Datum')).toHaveValue('starts_at');
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('#import-status')).toHaveText('Ready for review');
  await expect(page.locator('#rejects')).toContainText('Kind has a value that is not allowed');
  await expect(page.locator('#preview')).toContainText('2026-10-15T10:30');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-status')).toHaveText('Imported', { timeout: 30_000 });
  await expect(page.locator('#stat-created .stat-value')).toHaveText('1');
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.getByText('Poziv iz uvoza E2E')).toBeVisible();
  expect(problems).toEqual([]);
});

test('a refused file is named on the import page and nothing is created', async ({ page }) => {
  await signIn(page, ADMIN);
  await open(page, '/imports');
  await page.getByLabel('File').setInputFiles({ name: 'slika.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page.getByRole('alert')).toContainText('File');
  await expect(page).toHaveURL(/\/imports\?entity=account&error=type$/);
  await page.getByLabel('File').setInputFiles({ name: 'prazno.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page.getByRole('alert')).toContainText('has no rows');
});

test('a possible duplicate is named before saving; the duplicates are then merged into one', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill('MLEKARA ŠABAC D.O.O.');
  await page.getByLabel('City').fill('Šabac');
  await page.getByRole('button', { name: 'Save' }).click();
  const warning = page.locator('#duplicate-warning');
  await expect(warning).toContainText('This looks like a record that already exists');
  await expect(warning.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  // What was typed stays; confirming saves it.
  await expect(page.getByLabel('Name').first()).toHaveValue('MLEKARA ŠABAC D.O.O.');
  await warning.getByLabel('It is a different one — save anyway').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  const copyUrl = page.url();

  // The scan lists both under the same name; merging keeps the one with the related records.
  await open(page, '/duplicates');
  const set = page.locator('.dup-set', { hasText: 'MLEKARA ŠABAC D.O.O.' });
  await expect(set.getByRole('link')).toHaveCount(3);
  await set.getByRole('link', { name: 'Merge…' }).click();
  await expect(page.getByRole('heading', { name: 'Merge records' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Merge' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  expect(page.url()).not.toBe(copyUrl);
  await expect(page.getByRole('heading', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await open(page, '/duplicates');
  await expect(page.getByText('No duplicates found.')).toBeVisible();
  // A typo of the name in the same city is a set for the similar-name scan.
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill('Mlekaraa Šabac d.o.o.');
  await page.getByLabel('City').fill('Šabac');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#duplicate-warning').getByLabel('It is a different one — save anyway').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await open(page, '/duplicates');
  await page.locator('select[name="key"]').selectOption('similar');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/key=similar/);
  await expect(page.locator('.dup-set', { hasText: 'Mlekaraa Šabac d.o.o.' })).toContainText('Mlekara Šabac d.o.o.');
  await open(page, '/duplicates');
  // The administrator switches account names to exact matching; it stays so after a reload.
  const rules = page.locator('#duplicate-rules');
  await expect(rules.getByLabel('Similar, not only equal · Accounts — Name')).toBeChecked();
  await rules.getByLabel('Similar, not only equal · Accounts — Name').uncheck();
  await rules.getByRole('button', { name: 'Save · Accounts — Name' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await open(page, '/duplicates');
  await expect(page.locator('#duplicate-rules').getByLabel('Similar, not only equal · Accounts — Name')).not.toBeChecked();
  await page.locator('#duplicate-rules').getByLabel('Similar, not only equal · Accounts — Name').check();
  await page.locator('#duplicate-rules').getByRole('button', { name: 'Save · Accounts — Name' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await open(page, '/duplicates');
  await expect(page.locator('#duplicate-rules').getByLabel('Similar, not only equal · Accounts — Name')).toBeChecked();
  await open(page, copyUrl.replace(/^https?:\/\/[^/]+/, ''));
  await expect(page.getByRole('heading', { name: 'MLEKARA ŠABAC D.O.O.' })).toHaveCount(0);
  expect(problems).toEqual([]);
});
