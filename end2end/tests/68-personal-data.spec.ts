import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { ADMIN, SALES_A, open, readZip, signIn } from './helpers';

// A person's data on request: an administrator exports a contact's data as one zip (person.json and
// the files) and erases it — confirmed by typing ERASE, with a reason; afterwards the person is found
// nowhere, the history holds "[erased]", the record keeps its page, and the administration lists both
// requests. A lead is erased the same way. Other roles have no such actions, and the server refuses them.

const run = Date.now().toString(36);

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

async function exportZip(page: Page) {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export personal data (zip)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^personal-data-(contact|lead)-\d+-\d{4}-\d\d-\d\d\.zip$/);
  return readZip(fs.readFileSync((await file.path())!));
}

async function erase(page: Page, confirmWith: string, reason: string) {
  const block = page.getByRole('region', { name: 'Personal data' });
  if (!(await block.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) {
    await block.getByText('Erase personal data…').click();
  }
  await block.getByLabel("Type ERASE or the person's name to confirm").fill(confirmWith);
  await block.getByLabel('Reason (the request this fulfils)').fill(reason);
  await block.getByRole('button', { name: 'Erase permanently' }).click();
}

test('an administrator exports a contact’s data as one zip and erases it everywhere', async ({ page }) => {
  const last = `Privatnić${run}`;
  const email = `vesna.${run}@primer.rs`;
  await signIn(page, ADMIN);
  await open(page, '/contacts/new');
  await page.getByLabel('First name').fill('Vesna');
  await page.getByLabel('Last name').fill(last);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Job title').fill('Referent nabavke');
  await page.getByLabel('Mobile').fill('064 555 0101');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  await hydrated(page);
  const path = new URL(page.url()).pathname;
  const id = path.split('/').pop()!;

  // A note and a document about her.
  await page.getByRole('button', { name: 'Add a note' }).click();
  await page.getByLabel(/Note \(Markdown/).fill(`Vesna ${last} zove posle 10h`);
  await page.getByRole('region', { name: 'Add a note' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('li.tl-note').filter({ hasText: 'zove posle 10h' })).toBeVisible();
  await page.getByRole('button', { name: 'Attach a file' }).click();
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'Saglasnost Vesna.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% saglasnost\n') });
  await page.getByRole('button', { name: 'Upload' }).click();
  await hydrated(page);
  await expect(page.getByText('The file is attached.')).toBeVisible();

  // Export: one zip, person.json with everything and the file under files/.
  const block = page.getByRole('region', { name: 'Personal data' });
  await expect(block).toBeVisible();
  const zip = await exportZip(page);
  const person = JSON.parse(zip['person.json'].toString('utf8'));
  expect(person.kind).toBe('contact');
  expect(String(person.id)).toBe(id);
  expect(person.record.email).toBe(email);
  expect(person.record.mobile).toBe('064 555 0101');
  expect(person.notes[0].body).toContain('zove posle 10h');
  expect(person.documents[0].file_name).toBe('Saglasnost Vesna.pdf');
  expect(zip[person.documents[0].file].toString()).toContain('% saglasnost');
  expect(person.history.some((h: { field: string; new: string }) => h.field === 'email' && h.new === email)).toBe(true);
  await page.reload();
  await hydrated(page);
  await expect(block.getByText(/Last export/)).toBeVisible();

  // Erase: the confirmation must be right and a reason given; the form keeps what was typed.
  await erase(page, 'yes', 'Zahtev e-poštom, predmet 7');
  await expect(block.getByText("Type ERASE or the person's name to confirm: is not right")).toBeVisible();
  await expect(block.getByLabel('Reason (the request this fulfils)')).toHaveValue('Zahtev e-poštom, predmet 7');
  await erase(page, 'ERASE', 'Zahtev e-poštom, predmet 7');
  await expect(page.getByRole('heading', { name: `Erased person #${id}` })).toBeVisible();
  await expect(block.getByText(/Personal data erased/).first()).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue('');
  await expect(page.getByLabel('Mobile')).toHaveValue('');
  await expect(page.locator('li.tl-note')).toHaveCount(0);
  await expect(page.locator('li.tl-document')).toHaveCount(0);

  // Found nowhere by her name or e-mail; the erased record is found by its new name.
  for (const q of [last, email]) {
    await open(page, `/contacts?q=${encodeURIComponent(q)}`);
    await expect(page.getByText('Nothing found.')).toBeVisible();
    await open(page, `/search?q=${encodeURIComponent(q)}`);
    await expect(page.getByRole('link', { name: new RegExp(last) })).toHaveCount(0);
  }

  // The history keeps that things changed, not what they were; the erasure is one entry with its reason.
  await open(page, `${path}?tab=history`);
  await expect(page.locator('table.history')).toContainText('[erased]');
  await expect(page.locator('table.history')).not.toContainText(last);
  await expect(page.locator('table.history')).not.toContainText(email);
  await expect(page.locator('table.history')).toContainText('Zahtev e-poštom, predmet 7');

  // Export still works and shows the anonymized person.
  await open(page, path);
  const again = JSON.parse((await exportZip(page))['person.json'].toString('utf8'));
  expect(again.record.first_name).toBe('Erased person');
  expect(again.record.email).toBeNull();
  expect(again.documents).toEqual([]);
  expect(JSON.stringify(again)).not.toContain(last);

  // The administration lists both requests, newest first.
  await open(page, '/admin');
  await page.getByRole('link', { name: 'Personal data requests' }).click();
  await expect(page).toHaveURL(/\/admin\/personal-data$/);
  await hydrated(page);
  const rows = page.locator('table.personal-requests tbody tr').filter({ has: page.locator(`a[href="${path}"]`) });
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText('Export');
  await expect(rows.nth(1)).toContainText('Erasure');
  await expect(rows.nth(1)).toContainText('Zahtev e-poštom, predmet 7');
  await expect(rows.nth(1)).toContainText(`Erased person #${id}`);
});

test('a lead is erased the same way; other roles get no personal data actions', async ({ page }) => {
  const company = `Privatnost ${run} d.o.o.`;
  await signIn(page, ADMIN);
  await open(page, '/leads/new');
  await page.getByLabel('Company').fill(company);
  await page.getByLabel('First name').fill('Lazar');
  await page.getByLabel('Last name').fill(`Lidić${run}`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await hydrated(page);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  // Confirmed by the name as shown, in any case.
  await erase(page, `lazar lidić${run} · ${company}`.toLowerCase(), 'Usmeni zahtev');
  await expect(page.getByRole('heading', { name: `Erased person #${id} · ${company}` })).toBeVisible();
  await open(page, `/leads?q=${encodeURIComponent(`Lidić${run}`)}`);
  await expect(page.getByText('Nothing found.')).toBeVisible();

  // A salesperson sees no such block on their own contact, and the server refuses the export.
  await page.context().clearCookies();
  await signIn(page, SALES_A);
  await open(page, '/contacts/new');
  await page.getByLabel('First name').fill('Sara');
  await page.getByLabel('Last name').fill(`Svoja${run}`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  await hydrated(page);
  const own = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByRole('region', { name: 'Personal data' })).toHaveCount(0);
  const origin = new URL(page.url()).origin;
  const res = await page.request.post('/personal-data/export', { form: { kind: 'contact', id: own }, headers: { Origin: origin } });
  expect(res.status()).toBe(403);
  await open(page, '/admin/personal-data');
  await expect(page.getByText('You are not allowed to do this.')).toBeVisible();
});
