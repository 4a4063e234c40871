import { test, expect, Page } from '@playwright/test';
import ICAL from 'ical.js';
import { SALES_A, open, signIn } from './helpers';
import { mailTo } from '../smtp-sink';

const hydrated = (page: Page) => expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
const timelineItem = (page: Page, text: string) => page.locator('li.tl-item', { hasText: text });

test('a hot lead is qualified into an opportunity on the board; a second spelling links the same account', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/leads/new');
  await page.getByLabel('Company').fill('Pivara Kikinda d.o.o.');
  await page.getByLabel('First name').fill('Zoran');
  await page.getByLabel('Last name').fill('Lukić');
  await page.getByLabel('Rating').selectOption({ label: 'Hot' });
  await page.getByLabel('Source').selectOption({ label: 'Trade fair' });
  await page.getByLabel('Email').fill('zoran@pivara-kikinda.rs');
  // A bad value is named and nothing typed is lost.
  await page.getByLabel('Estimated value').fill('osamsto');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Estimated value is not a valid number')).toBeVisible();
  await expect(page.getByLabel('Company')).toHaveValue('Pivara Kikinda d.o.o.');
  await page.getByLabel('Estimated value').fill('800.000');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: /Zoran Lukić · Pivara Kikinda/ })).toBeVisible();

  // The list filters by rating; the board shows it under "New".
  await open(page, '/leads?rating=hot');
  await expect(page.getByRole('link', { name: 'Zoran Lukić · Pivara Kikinda d.o.o.' })).toBeVisible();
  await open(page, '/leads?view=board');
  await expect(page.locator('section.column[data-status="new"]').getByText('Zoran Lukić · Pivara Kikinda d.o.o.')).toBeVisible();

  // Qualify: no existing match; an opportunity is opened and the page goes to it.
  await page.getByRole('link', { name: 'Zoran Lukić · Pivara Kikinda d.o.o.' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Qualify', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('No existing account or contact matches this lead.')).toBeVisible();
  await expect(dialog.getByLabel('Also open an opportunity')).toBeChecked();
  await dialog.getByLabel('Opportunity name').fill('Oprema za punjenje 2027');
  await dialog.getByLabel('Expected close date').fill('2027-04-30');
  await dialog.getByRole('button', { name: 'Qualify', exact: true }).click();
  await expect(page).toHaveURL(/\/opportunities\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Oprema za punjenje 2027' })).toBeVisible();
  await expect(page.getByText('800,000.00 RSD').first()).toBeVisible();

  await open(page, '/pipeline');
  const prospecting = page.locator('section.column', { has: page.getByRole('heading', { name: /^Prospecting/ }) });
  await expect(prospecting.locator('article.opp-card', { hasText: 'Oprema za punjenje 2027' })).toBeVisible();

  // A second lead for the same company, written differently, finds it and links instead of duplicating.
  await open(page, '/leads/new');
  await page.getByLabel('Company').fill('PIVARA KIKINDA doo');
  await page.getByLabel('First name').fill('Mira');
  await page.getByLabel('Last name').fill('Tot');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Qualify', exact: true }).click();
  await expect(page.getByRole('dialog').getByText('These existing records may be the same')).toBeVisible();
  const match = page.getByRole('dialog').locator('label.check', { hasText: 'Pivara Kikinda d.o.o.' });
  await expect(match).toContainText('similar name');
  await expect(match.getByRole('radio')).toBeChecked();
  await page.getByRole('dialog').getByLabel('Also open an opportunity').uncheck();
  await page.getByRole('dialog').getByRole('button', { name: 'Qualify', exact: true }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Pivara Kikinda d.o.o.' })).toBeVisible();
  await open(page, '/accounts?q=pivara');
  await expect(page.locator('table tbody tr')).toHaveCount(1);
});

test('a call is completed with a follow-up; both show on the account timeline', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/contacts?q=djordje');
  await page.getByRole('link', { name: 'Đorđe Čolić' }).click();
  await hydrated(page);
  // "Send an email" goes out through the mail server (the tests' sink) and is logged on the timeline.
  await page.getByRole('button', { name: 'Send an email' }).click();
  const mail = page.getByRole('region', { name: 'Send an email' });
  await expect(mail).toContainText('djordje@mlekara.rs');
  const mailSubject = `Cenovnik ${Date.now()}`;
  await mail.getByLabel('Subject').fill(mailSubject);
  await mail.getByLabel('Message').fill('Poštovani Đorđe,\nu prilogu je cenovnik.');
  await mail.getByRole('button', { name: 'Send' }).click();
  await expect(timelineItem(page, mailSubject)).toBeVisible();
  await expect.poll(() => mailTo('djordje@mlekara.rs').filter((m) => m.data.includes(mailSubject)).length).toBe(1);
  await page.getByRole('button', { name: 'Log a call' }).click();
  const composer = page.getByRole('region', { name: 'Phone call' });
  // Without a subject the field says so and the form stays.
  await composer.getByRole('button', { name: 'Save' }).click();
  await expect(composer.getByText('Subject is required')).toBeVisible();
  await composer.getByLabel('Subject').fill('Poziv oko cene mleka');
  await composer.getByLabel('Already done').uncheck();
  await composer.getByRole('button', { name: 'Save' }).click();
  const call = timelineItem(page, 'Poziv oko cene mleka');
  await expect(call).toBeVisible();
  await call.getByRole('button', { name: 'Complete' }).click();
  const done = page.getByRole('dialog');
  await done.getByLabel('Outcome').fill('Traži ponudu do petka');
  await done.getByLabel('Schedule a follow-up').check();
  await done.getByLabel('Follow-up type').selectOption({ label: 'Task' });
  await done.getByLabel('Follow-up subject').fill('Poslati ponudu za mleko');
  await done.getByRole('button', { name: 'Complete' }).click();
  await expect(timelineItem(page, 'Poslati ponudu za mleko')).toBeVisible();
  await expect(timelineItem(page, 'Poziv oko cene mleka')).toContainText('Completed');
  await expect(timelineItem(page, 'Poziv oko cene mleka')).toContainText('Traži ponudu do petka');

  // The follow-up opens on its own page, where every field can be edited; the history shows the change.
  await timelineItem(page, 'Poslati ponudu za mleko').getByRole('link', { name: 'Poslati ponudu za mleko' }).click();
  await expect(page).toHaveURL(/\/activities\/\d+$/);
  await hydrated(page);
  await page.getByLabel('Subject').fill('Poslati ponudu za mleko i jogurt');
  await page.getByLabel('Priority').selectOption({ label: 'High' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Poslati ponudu za mleko i jogurt' })).toBeVisible();
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Poslati ponudu za mleko i jogurt' })).toBeVisible();

  // The account's timeline holds its contact's items, linked to the contact; a note renders Markdown.
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await hydrated(page);
  await expect(timelineItem(page, 'Poziv oko cene mleka')).toContainText('Đorđe Čolić');
  await expect(timelineItem(page, 'Poslati ponudu za mleko i jogurt').getByRole('button', { name: 'Complete' })).toBeVisible();
  await page.getByRole('button', { name: 'Add a note' }).click();
  await page.getByLabel(/Note \(Markdown/).fill('Kupac plaća **avansno**. <script>alert(1)</script>');
  await page.getByRole('region', { name: 'Add a note' }).getByRole('button', { name: 'Save' }).click();
  const note = page.locator('li.tl-note').first();
  await expect(note.locator('strong')).toHaveText('avansno');
  await expect(note).toContainText('<script>alert(1)</script>');
  // The filter keeps only notes.
  await page.locator('.timeline-filters select').selectOption('notes');
  await page.locator('.timeline-filters').getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/tl=notes/);
  await expect(page.locator('li.tl-activity')).toHaveCount(0);
  await expect(page.locator('li.tl-note')).toHaveCount(1);

  // My day lists the open follow-up (due in a week: neither overdue nor today).
  await open(page, '/my-day');
  await expect(page.getByRole('heading', { name: /^Overdue/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^My opportunities closing this month/ })).toBeVisible();
});

test('a visit is rescheduled on the calendar by drag and by keyboard; the iCalendar feed parses', async ({ page, request }) => {
  await signIn(page, SALES_A);
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Schedule a visit' }).click();
  const composer = page.getByRole('region', { name: 'Meeting / visit' });
  await composer.getByLabel('Subject').fill('Obilazak pogona');
  await composer.getByLabel('Location').fill('Šabac, fabrika');
  await composer.getByRole('button', { name: 'Save' }).click();
  const visit = timelineItem(page, 'Obilazak pogona');
  await expect(visit).toBeVisible();
  const when = (await visit.locator('time').getAttribute('datetime'))!;
  const day = when.slice(0, 10);

  await open(page, `/calendar?date=${day}`);
  const item = page.locator('a.cal-item', { hasText: 'Obilazak pogona' });
  await expect(page.locator(`.cal-day[data-date="${day}"]`).locator(item)).toBeVisible();
  const target = (await page.locator('.cal-day').evaluateAll((cells, d) =>
    cells.map((c) => c.getAttribute('data-date')!).find((x) => x !== d), day))!;
  // Week view: dropped on another day's 10:00 slot, it moves there at 10:00.
  await item.dragTo(page.locator(`.cal-day[data-date="${target}"] .cal-slot[data-time="10:00"]`));
  await expect(page.getByRole('status')).toContainText('Rescheduled to');
  await page.reload();
  await hydrated(page);
  await expect(page.locator(`.cal-day[data-date="${target}"]`).locator(item)).toBeVisible();
  await expect(item).toContainText('10:00');

  // Keyboard: half an hour later.
  await item.focus();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(page.getByRole('status').last()).toContainText('Rescheduled to');
  await page.reload();
  await hydrated(page);
  await expect(item).toContainText('10:30');

  // Month view: dropped on another day, it keeps its time.
  await open(page, `/calendar?date=${target}&view=month`);
  // Another day of the same week row, so that the drag needs no scrolling (a month can span six rows).
  const other = (await page.locator('.cal-day').evaluateAll((cells, d) => {
    const dates = cells.map((c) => c.getAttribute('data-date')!);
    const i = dates.indexOf(d);
    return dates[i % 7 === 0 ? i + 1 : i - 1];
  }, target))!;
  await item.dragTo(page.locator(`.cal-day[data-date="${other}"]`));
  await expect(page.getByRole('status').last()).toContainText('Rescheduled to');
  await page.reload();
  await hydrated(page);
  await expect(page.locator(`.cal-day[data-date="${other}"]`).locator(item)).toContainText('10:30');

  // The subscription link serves an iCalendar file that a real parser reads.
  await page.getByRole('button', { name: 'Create a subscription link' }).click();
  const url = await page.getByRole('textbox', { name: 'Calendar subscription (iCalendar)' }).inputValue();
  expect(url).toMatch(/\/calendar\/[0-9a-f]{64}\.ics$/);
  const res = await request.get(url);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/calendar');
  const cal = new ICAL.Component(ICAL.parse(await res.text()));
  const events = cal.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
  const ev = events.find((e) => e.summary.startsWith('Obilazak pogona'));
  expect(ev, 'the visit is in the feed').toBeTruthy();
  expect(ev!.location).toBe('Šabac, fabrika');
  expect(ev!.startDate.toJSDate().getTime()).toBeLessThan(ev!.endDate.toJSDate().getTime());
  // Revoked, the link is gone.
  await page.getByRole('button', { name: 'Revoke the link' }).click();
  await expect(page.getByText('No subscription link.')).toBeVisible();
  expect((await request.get(url)).status()).toBe(404);
});

test('a file is attached and downloads; a disallowed or oversized one is refused with a clear message', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await hydrated(page);
  const attach = async (name: string, mimeType: string, buffer: Buffer) => {
    await page.getByRole('button', { name: 'Attach a file' }).click();
    await page.getByLabel('File', { exact: true }).setInputFiles({ name, mimeType, buffer });
    await page.getByRole('button', { name: 'Upload' }).click();
    await hydrated(page);
  };
  await attach('Ponuda 2027.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n% Veza test\n'));
  await expect(page).toHaveURL(/upload=ok/);
  await expect(page.getByText('The file is attached.')).toBeVisible();
  const link = page.locator('li.tl-document').getByRole('link', { name: 'Ponuda 2027.pdf' });
  await expect(link).toBeVisible();
  const res = await page.request.get((await link.getAttribute('href'))!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-disposition']).toContain('attachment');
  expect(res.headers()['x-content-type-options']).toBe('nosniff');
  expect((await res.body()).toString()).toContain('%PDF-1.4');

  await attach('stranica.html', 'text/html', Buffer.from('<html><script>alert(1)</script></html>'));
  await expect(page.getByRole('alert').filter({ hasText: 'is not a type of file Veza accepts' })).toBeVisible();
  await attach('ogroman.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(11 * 1024 * 1024, 32)]));
  await expect(page.getByRole('alert').filter({ hasText: 'is larger than the limit of 10 MB' })).toBeVisible();
  await expect(page.locator('li.tl-document')).toHaveCount(1);
});
