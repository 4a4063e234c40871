import { test, expect, Page } from '@playwright/test';
import { ADMIN, SALES_A, open, signIn, watchErrors } from './helpers';

// The marketing story of the source article: "every customer in one region → a marketing list → a
// phone call to each, shared out among the salespeople". A marketer of the Belgrade team builds
// "accounts in Šumadija, category A, with no completed activity in 90 days", saves it as a view and as a
// dynamic marketing list, and starts a quick campaign of phone calls shared among the team; a
// salesperson finds the call on My day and completes it; the campaign's page shows the progress. The
// saved view's results read without JavaScript.

const STAMP = Date.now().toString().slice(-6);
const MARKETER = { email: `marija.${STAMP}@veza.test`, password: 'marketing-lozinka-1', name: `Marija Marketing ${STAMP}` };
const ACCOUNTS = [`Topola Vino ${STAMP}`, `Rača Mlin ${STAMP}`, `Knić Farma ${STAMP}`];
const VIEW = `Šumadija A za poziv ${STAMP}`;
const LIST = `Šumadija A spisak ${STAMP}`;
const SUBJECT = `Poziv: nova sezona ${STAMP}`;

async function quietAccountsQuery(page: Page) {
  await page.getByRole('button', { name: '+ Condition' }).click();
  await page.getByLabel('Field').first().selectOption({ label: 'Region' });
  await page.getByLabel('Value').first().selectOption('Šumadija');
  await page.getByRole('button', { name: '+ Condition' }).first().click();
  await page.getByLabel('Field').nth(1).selectOption({ label: 'Category' });
  await page.getByLabel('Value').nth(1).selectOption('A');
  await page.getByRole('button', { name: '+ Condition' }).first().click();
  await page.getByLabel('Field').nth(2).selectOption({ label: 'Name' });
  await page.getByLabel('Value').nth(2).fill(STAMP);
  await page.getByLabel('Value').nth(2).press('Tab');
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
}

test('a marketer shares a call to every quiet A customer in Šumadija among the team', async ({ page, browser }) => {
  test.setTimeout(180_000);
  // The administrator invites the marketer to the Belgrade team.
  await signIn(page, ADMIN);
  await open(page, '/admin');
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite user' }) });
  await invite.getByLabel('Full name').fill(MARKETER.name);
  await invite.getByLabel('Email').fill(MARKETER.email);
  await invite.getByLabel('Role').selectOption('marketing');
  await invite.getByLabel('Team').selectOption({ label: 'Prodaja Beograd' });
  await invite.getByLabel('First password').fill(MARKETER.password);
  await invite.getByRole('button', { name: 'Invite user' }).click();
  await expect(page.getByRole('cell', { name: MARKETER.email })).toBeVisible();

  // A salesperson of the team has three quiet A customers in Šumadija.
  const sales = await browser.newContext();
  const sp = await sales.newPage();
  await signIn(sp, SALES_A);
  for (const name of ACCOUNTS) {
    await open(sp, '/accounts/new');
    await sp.getByLabel('Name').first().fill(name);
    await sp.getByLabel('Region').fill('Šumadija');
    await sp.getByLabel('Category').selectOption('A');
    await sp.getByRole('button', { name: 'Save' }).click();
    await expect(sp).toHaveURL(/\/accounts\/\d+$/);
  }

  // The marketer builds the query, saves it as a team view and as a dynamic list.
  const mk = await browser.newContext();
  const mp = await mk.newPage();
  const errors = watchErrors(mp);
  await signIn(mp, MARKETER);
  await open(mp, '/find');
  await quietAccountsQuery(mp);
  await mp.getByRole('button', { name: 'Find', exact: true }).click();
  for (const name of ACCOUNTS) await expect(mp.locator('#find-table').getByRole('link', { name })).toBeVisible();
  await expect(mp.locator('#find-total')).toHaveText('3');
  await mp.getByText('Save as new view').click();
  await mp.getByLabel('View name').fill(VIEW);
  await mp.getByLabel('Shared with').selectOption('team');
  await mp.locator('#view-save').click();
  await expect(mp).toHaveURL(/\/find\?view=\d+$/);
  const viewUrl = mp.url();

  await mp.locator('#find-dynamic-list').click();
  await expect(mp).toHaveURL(/\/marketing\/lists\/new\?type=dynamic/);
  await expect(mp.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await mp.getByLabel('Name').first().fill(LIST);
  await mp.getByRole('button', { name: 'Save' }).click();
  await expect(mp).toHaveURL(/\/marketing\/lists\/\d+$/);
  const listId = /\/marketing\/lists\/(\d+)$/.exec(mp.url())![1];

  // A quick campaign of phone calls from the list, shared among the team's people.
  await mp.locator('#list-quick-campaign').click();
  await expect(mp).toHaveURL(new RegExp(`/marketing/quick-campaigns/new\\?list=${listId}$`));
  await expect(mp.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(mp.locator('#qc-reach')).toContainText('3');
  await mp.getByLabel('Activity').selectOption('call');
  await mp.getByLabel('Subject', { exact: true }).fill(SUBJECT);
  const today = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  await mp.getByLabel('Due', { exact: true }).fill(`${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}T00:05`);
  await mp.getByLabel('in turn, to chosen users or a team').check();
  await mp.getByLabel('Share among').selectOption({ label: 'Prodaja Beograd' });
  await mp.getByRole('button', { name: 'Start the campaign' }).click();
  await expect(mp).toHaveURL(/\/marketing\/quick-campaigns\/\d+$/);
  const campaignUrl = mp.url();
  await expect(mp.locator('#qc-status')).toHaveText('Done', { timeout: 30_000 });
  await expect(mp.locator('#qc-created')).toHaveText('3');
  await expect(mp.locator('#qc-progress')).toContainText(SALES_A.name);

  // The salesperson finds the call on My day and completes it.
  await open(sp, '/my-day');
  const call = sp.getByRole('link', { name: SUBJECT }).first();
  await expect(call).toBeVisible();
  await call.click();
  await expect(sp.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await sp.getByRole('button', { name: 'Complete' }).click();
  await sp.getByRole('dialog').getByLabel('Outcome').fill('Naručuju u martu');
  await sp.getByRole('dialog').getByRole('button', { name: 'Complete' }).click();
  await expect(sp.getByRole('dialog')).toHaveCount(0);

  // The campaign's page shows the progress.
  await open(mp, campaignUrl);
  const row = mp.locator('#qc-progress tr').filter({ hasText: SALES_A.name });
  await expect(row.locator('td').nth(1)).toHaveText('1');
  expect(errors).toEqual([]);

  // Without JavaScript the saved view's results and the campaign's page still render.
  const state = await mk.storageState();
  const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: state });
  const np = await nojs.newPage();
  await np.goto(viewUrl);
  // The customer whose call was completed is no longer quiet: the view follows the data.
  await expect(np.locator('#find-total')).toHaveText('2');
  await expect(np.locator('#find-table tbody tr')).toHaveCount(2);
  await np.goto(campaignUrl);
  await expect(np.locator('#qc-created')).toHaveText('3');
  await nojs.close();
  await sales.close();
  await mk.close();
});
