import { test, expect } from '@playwright/test';
import { ADMIN, open, signIn } from './helpers';

// Every page, loaded directly, hydrates without errors in the browser console. The pages are visited in groups,
// each a test of its own: a page loads its code on first visit (lazy routes), which in a debug build on a slow
// machine takes seconds, and one test for all pages outgrew the per-test time limit.
const PAGES = ['/', '/accounts', '/accounts/new', '/accounts/1', '/accounts/1?tab=history', '/contacts', '/contacts/new',
  '/contacts/new?account=1', '/contacts/1', '/opportunities', '/opportunities/new', '/opportunities/new?account=1',
  '/opportunities/1', '/opportunities/1?tab=history', '/admin', '/opportunities?sort=amount&dir=desc', '/leads', '/leads?view=board',
  '/leads/new', '/my-day', '/team-activity', '/calendar', '/calendar?view=month', '/accounts/1?tl=notes', '/products', '/products/new', '/price-lists', '/competitors',
  '/win-loss', '/profitability', '/opportunities?outcome=lost', '/imports', '/imports/1', '/duplicates', '/duplicates?entity=contact&key=email',
  '/reports/forecast', '/reports/forecast?group=region&period=quarter', '/reports/sales?group=family&period=year', '/reports/sales?group=account', '/goals', '/reports/adoption', '/reports/pipeline', '/pipeline', '/?x=1', '/opportunities?missing=amount',
  '/no-such-page'];
const GROUP = 8;

for (let i = 0; i < PAGES.length; i += GROUP) {
  const group = PAGES.slice(i, i + GROUP);
  test(`pages hydrate cleanly: ${group[0]} … ${group[group.length - 1]}`, async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      // The unknown page is meant to answer 404; the browser logs that as a failed resource.
      if (m.type() === 'error' && !(page.url().endsWith('/no-such-page') && m.text().includes('404'))) problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    await signIn(page, ADMIN);
    for (const path of group) {
      await open(page, path);
    }
    expect(problems).toEqual([]);
  });
}
