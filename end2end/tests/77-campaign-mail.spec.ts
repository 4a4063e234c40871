import { test, expect, Page } from '@playwright/test';
import { SALES_A, open, signIn, watchErrors } from './helpers';
import { mailTo } from '../smtp-sink';

// An e-mail quick campaign really sends: a salesperson signs their messages, picks their contacts with
// advanced find, writes one message with fields filled in per contact, previews it and sends it. The
// contact with an address gets it (from the salesperson, with an unsubscribe link), the address the mail
// server refuses and the contact without one are recorded as not sent, with why; the link unsubscribes.
// A letter campaign to the same contacts downloads as a PDF and as a ZIP of PDFs.

const STAMP = Date.now().toString().slice(-6);

/** Three contacts whose last names end with `stamp`: one with an address, one with an address the mail
 * server refuses, one without. */
function people(stamp: string) {
  return [
    { first: 'Ema', last: `Emić ${stamp}`, email: `ema.${stamp}@kupac.test` },
    { first: 'Nema', last: `Sandučić ${stamp}`, email: `nepostoji.${stamp}@kupac.test` },
    { first: 'Bez', last: `Adrese ${stamp}`, email: '' },
  ];
}

async function newPeople(page: Page, stamp: string) {
  for (const p of people(stamp)) {
    await open(page, '/contacts/new');
    await page.getByLabel('First name').fill(p.first);
    await page.getByLabel('Last name').fill(p.last);
    if (p.email) await page.getByLabel('Email').fill(p.email);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/contacts\/\d+$/);
  }
}

/** Finds the three contacts of `stamp` with advanced find and opens a quick campaign for them. */
async function campaignFor(page: Page, stamp: string) {
  await open(page, '/find');
  await page.getByLabel('Look for').selectOption('contact');
  await page.getByRole('button', { name: '+ Condition' }).click();
  await page.getByLabel('Field').first().selectOption({ label: 'Last name' });
  await page.getByLabel('Value').first().fill(stamp);
  await page.getByLabel('Value').first().press('Tab');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect(page.locator('#find-total')).toHaveText('3');
  await page.locator('#find-quick-campaign').click();
  await expect(page).toHaveURL(/\/marketing\/quick-campaigns\/new\?query=/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.locator('#qc-reach')).toContainText('3');
}

test('an e-mail campaign sends each contact their message and records what happened', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await signIn(page, SALES_A);

  // The signature filled into {signature}.
  await open(page, '/account');
  await page.getByLabel('E-mail signature').fill(`${SALES_A.name}\nProdaja, Veza d.o.o.`);
  await page.locator('#signature-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved').first()).toBeVisible();

  const PEOPLE = people(STAMP);
  await newPeople(page, STAMP);
  await campaignFor(page, STAMP);
  await page.getByLabel('Activity').selectOption('email');
  await expect(page.locator('#qc-email-note')).toBeVisible();
  // Without a message the form says so and keeps what was typed.
  await page.getByLabel('Subject of the message').fill(`Nova ponuda ${STAMP}`);
  await page.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(page.getByText('Message is required')).toBeVisible();
  await expect(page.getByLabel('Subject of the message')).toHaveValue(`Nova ponuda ${STAMP}`);
  // The message with fields, added by keyboard-reachable buttons, and its preview.
  await page.getByLabel('Message', { exact: true }).fill('Poštovani ');
  await page.getByRole('button', { name: '{first_name}' }).click();
  await page.getByLabel('Message', { exact: true }).press('End');
  await page.getByLabel('Message', { exact: true }).pressSequentially(',\nšaljemo novu ponudu.\n\n');
  await page.getByRole('button', { name: '{signature}' }).click();
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('Poštovani {first_name},\nšaljemo novu ponudu.\n\n{signature}');
  await page.getByRole('button', { name: 'Preview for the first member' }).click();
  await expect(page.locator('#qc-mail-preview')).toContainText('Poštovani Ema,');
  await expect(page.locator('#qc-mail-preview')).toContainText('Prodaja, Veza d.o.o.');
  await page.getByLabel('me', { exact: true }).check();
  await page.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(page).toHaveURL(/\/marketing\/quick-campaigns\/\d+$/);
  const campaignUrl = page.url();
  await expect(page.locator('#qc-status')).toHaveText('Done', { timeout: 30_000 });
  await expect(page.locator('#qc-created')).toHaveText('1');
  await expect(page.locator('#qc-skipped')).toHaveText('2');
  const reasons = page.locator('.qc-reasons');
  await expect(reasons.getByText('the mail server refused the address')).toBeVisible();
  await expect(reasons.getByText('no e-mail address')).toBeVisible();
  await page.getByRole('link', { name: 'Not sent', exact: true }).click();
  await expect(page.locator('#qc-members')).toContainText('550');

  // Ema got her message, from the salesperson, filled in, with the unsubscribe link.
  await expect.poll(() => mailTo(PEOPLE[0].email).length).toBe(1);
  const mail = mailTo(PEOPLE[0].email)[0];
  expect(mail.from).toContain(SALES_A.email);
  const body = mail.data.replace(/=\n/g, '');
  expect(body).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  const link = /List-Unsubscribe: <([^>]+)>/.exec(body)![1];
  expect(link).toMatch(/\/unsubscribe\/[0-9a-f]{48}$/);
  expect(mailTo(PEOPLE[1].email)).toHaveLength(0);

  // The link needs no sign-in: it shows the address, masked, and unsubscribes.
  const outside = await browser.newContext();
  const op = await outside.newPage();
  await op.goto(link);
  await expect(op.getByText('e***@kupac.test')).toBeVisible();
  await op.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(op.getByRole('status')).toContainText('No more e-mails will be sent');
  await outside.close();
  await open(page, campaignUrl);
  await expect(page.locator('#qc-unsubscribed')).toHaveText('1');
  // The sent message is on Ema's timeline.
  await page.getByRole('link', { name: 'Sent', exact: true }).click();
  await page.locator('#qc-members').getByRole('link', { name: `Ema ${PEOPLE[0].last}` }).click();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(page.getByText(`Nova ponuda ${STAMP}`).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('a letter campaign downloads as one PDF and as a ZIP of PDFs', async ({ page }) => {
  await signIn(page, SALES_A);
  // A stamp of its own (not containing STAMP, so the first test's find does not see these contacts).
  const stamp = `P${STAMP.split("").reverse().join("")}`;
  await newPeople(page, stamp);
  await campaignFor(page, stamp);
  await page.getByLabel('Activity').selectOption('letter');
  await page.getByLabel('Subject', { exact: true }).fill(`Pismo ${stamp}`);
  await page.getByLabel('Description').fill('Poštovani {first_name}, šaljemo katalog.');
  // Without a due date the form names the field.
  await page.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(page.getByText('Due is required')).toBeVisible();
  await page.getByLabel('Due', { exact: true }).fill('2027-01-15T10:00');
  await page.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(page).toHaveURL(/\/marketing\/quick-campaigns\/\d+$/);
  await expect(page.locator('#qc-status')).toHaveText('Done', { timeout: 30_000 });
  await expect(page.locator('#qc-created')).toHaveText('3');
  const pdfLink = page.locator('#qc-letters').getByRole('link', { name: 'PDF, one page per member' });
  const pdf = await page.request.get((await pdfLink.getAttribute('href'))!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const bytes = await pdf.body();
  expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  const text = bytes.toString('latin1');
  // One page per member, the letter filled in (Ć and č in the letters' own encoding).
  expect(text).toContain('/Count 3');
  expect(text).toContain(`(Pismo ${stamp})`);
  expect(text).toContain('(Po\\232tovani Ema, \\232aljemo katalog.)');
  const zipLink = page.locator('#qc-letters').getByRole('link', { name: 'ZIP, one PDF per member' });
  const zip = await page.request.get((await zipLink.getAttribute('href'))!);
  expect(zip.status()).toBe(200);
  const zbytes = await zip.body();
  expect(zbytes.subarray(0, 2).toString('latin1')).toBe('PK');
  expect(zbytes.toString('latin1')).toContain('-Ema-Emi');
});
