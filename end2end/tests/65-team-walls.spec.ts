import { test, expect, Page } from '@playwright/test';
import { SALES_A, SALES_B, open, readXlsx, signIn } from './helpers';

// Sava (team Beograd) has an account, a contact, an opportunity and a visit from the earlier specs.
// Bojan (team Niš) must not learn any of it: not by URL, not from a list, the board, search, a report,
// an export or his calendar feed, and not from the data a page carries for hydration (the raw HTML).
const SECRETS = ['Mlekara', 'Rashladna komora', 'djordje@mlekara.rs', 'Obilazak pogona'];

function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return SECRETS.filter((s) => lower.includes(s.toLowerCase()));
}

/** The links to Sava's records, read from his own pages. */
async function recordPaths(page: Page): Promise<string[]> {
  const paths: string[] = [];
  for (const [list, name] of [
    ['/accounts?q=mlekara', 'Mlekara Šabac d.o.o.'],
    ['/opportunities?q=rashladna', 'Rashladna komora 2027'],
    ['/contacts?q=colic', 'Čolić'],
  ]) {
    await open(page, list);
    const href = await page.getByRole('link', { name }).first().getAttribute('href');
    expect(href, `${name} is listed for its owner`).toMatch(/^\/\w+\/\d+$/);
    paths.push(href!);
  }
  await open(page, paths[0]);
  const visit = page.locator('a[href^="/activities/"]', { hasText: 'Obilazak pogona' }).first();
  paths.push((await visit.getAttribute('href'))!);
  return paths;
}

test("a salesperson reaches nothing of another team's: pages, lists, search, exports, feed, page data", async ({ browser }) => {
  test.setTimeout(180_000); // some forty pages, exports and reports
  const a = await browser.newPage();
  await signIn(a, SALES_A);
  const records = await recordPaths(a);
  // The checks below can fail: for the owner the same requests do show the records.
  expect(leaks(await (await a.request.get(records[0])).text())).toContain('Mlekara');
  expect(leaks(await (await a.request.get('/search?q=abac')).text())).toContain('Mlekara');
  expect(leaks(await (await a.request.get('/export/accounts.csv?q=abac')).text())).toContain('Mlekara');
  expect(leaks(await (await a.request.get(records[3])).text())).toContain('Obilazak pogona');

  const b = await browser.newPage();
  await signIn(b, SALES_B);
  // By URL: "not found", and nothing of the record in the HTML the server sent.
  for (const path of records) {
    await b.goto(path);
    await expect(b.getByRole('heading', { name: 'Not found' }), path).toBeVisible();
    const res = await b.request.get(path);
    expect(res.status(), path).toBe(404);
    expect(leaks(await res.text()), `${path} (raw HTML)`).toEqual([]);
  }

  // Every list, board, report and search page: neither on screen nor in the page's data.
  const pages = ['/', '/accounts', '/contacts', '/opportunities', '/leads', '/pipeline', '/my-day', '/calendar', '/dashboard',
    '/reports/forecast', '/reports/sales', '/reports/pipeline', '/win-loss', '/profitability', '/competitors',
    // Searched by parts of the names, so that the page's echo of the search text is no secret.
    '/search?q=abac', '/search?q=rashlad', '/search?q=pogona', '/accounts?q=abac', '/contacts?q=djordje'];
  for (const path of pages) {
    const res = await b.request.get(path);
    expect(res.status(), path).toBe(200);
    expect(leaks(await res.text()), `${path} (raw HTML)`).toEqual([]);
  }
  await open(b, '/search?q=abac');
  await expect(b.getByText(/Mlekara/i)).toHaveCount(0);

  // Exports of every list, of search and of the reports, in both formats.
  for (const file of ['accounts', 'contacts', 'opportunities', 'leads']) {
    for (const q of ['', '?q=abac']) {
      const csv = await b.request.get(`/export/${file}.csv${q}`);
      expect(csv.status(), `${file}.csv${q}`).toBe(200);
      expect(leaks(await csv.text()), `${file}.csv${q}`).toEqual([]);
    }
    const xlsx = await b.request.get(`/export/${file}.xlsx`);
    expect(xlsx.status()).toBe(200);
    expect(leaks(readXlsx(await xlsx.body()).flat().join('\n')), `${file}.xlsx`).toEqual([]);
  }
  const found = await b.request.get('/export/search.csv?q=abac');
  expect(leaks(await found.text()), 'search.csv').toEqual([]);
  for (const report of ['forecast', 'sales', 'pipeline', 'adoption']) {
    const res = await b.request.get(`/export/report/${report}.csv`);
    expect(res.status(), report).toBe(200);
    expect(leaks(await res.text()), `${report}.csv`).toEqual([]);
  }

  // His calendar feed.
  await open(b, '/calendar');
  await b.getByRole('button', { name: /Create a subscription link|Replace the link/ }).click();
  const feedUrl = await b.getByRole('textbox', { name: 'Calendar subscription (iCalendar)' }).inputValue();
  const feed = await b.request.get(feedUrl);
  expect(feed.status()).toBe(200);
  expect(leaks(await feed.text()), 'calendar feed').toEqual([]);
});

