import { test, expect, Page } from '@playwright/test';
import { ADMIN, SALES_A, open, signIn } from './helpers';

const hydrated = (page: Page) => expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);

// Console errors and page errors fail the test: every page here must hydrate cleanly. (A refused
// server-function call — the validation errors this test provokes on purpose — is logged by the
// browser as a failed resource; what the user sees of it is asserted on the page instead.)
function watchErrors(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('Failed to load resource')) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

test('an administrator sets up a product, a price list and a competitor with a product of theirs', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/products/new');
  await page.getByLabel('Code').fill('PMP-E2E');
  await page.getByLabel('Name').fill('Pumpa E2E 100');
  await page.getByLabel('Product family').fill('Pumpe');
  await page.locator('#f-unit').fill('kom');
  await page.getByLabel('List price').fill('sto hiljada');
  await page.getByLabel('Unit cost').fill('60.000');
  await page.getByRole('button', { name: 'Save' }).click();
  // A bad price is named; what was typed stays.
  await expect(page.getByText('List price is not a valid number')).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue('Pumpa E2E 100');
  await page.getByLabel('List price').fill('100.000');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/products\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Pumpa E2E 100' })).toBeVisible();

  // A wholesale price list with the product at 90,000.
  await open(page, '/price-lists');
  const newList = page.locator('details.add-details', { hasText: 'New price list' });
  await newList.getByText('New price list').click();
  await newList.getByLabel('Name').fill('Veleprodaja E2E');
  await newList.getByLabel('Valid from').fill('2026-01-01');
  await newList.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/price-lists\/\d+$/);
  await hydrated(page);
  await page.getByLabel('Search: Product').fill('PMP-E2E');
  await expect(page.locator('#f-pli-product_id option', { hasText: 'Pumpa E2E 100' })).toHaveCount(1);
  await page.locator('#f-pli-price').fill('90.000');
  await page.getByRole('button', { name: 'Set price' }).click();
  await expect(page.getByRole('cell', { name: '90,000.00 RSD' })).toBeVisible();

  // A competitor: an account with the competitor relationship, and a product of theirs against ours.
  await open(page, '/competitors');
  await page.getByRole('link', { name: 'New competitor' }).click();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: 'Competitor' })).toBeChecked();
  await page.getByLabel('Name').fill('Konkurent Pumpe d.o.o.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await page.getByRole('link', { name: 'Competitor page' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Konkurent Pumpe d\.o\.o\./ })).toBeVisible();
  await hydrated(page);
  await page.getByText('Add a competitor product').click();
  await page.locator('#f-cp-name').fill('Pumpa K-90');
  await page.locator('#f-cp-family').selectOption('Pumpe');
  await page.locator('#f-cp-quality').selectOption('4');
  await page.locator('#f-cp-counters').selectOption({ label: 'PMP-E2E · Pumpa E2E 100' });
  await page.locator('details.add-details', { hasText: 'Add a competitor product' }).getByRole('button', { name: 'Add' }).click();
  await expect(page.getByRole('cell', { name: 'Pumpa K-90 Pumpe' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Pumpa E2E 100' })).toBeVisible();
  // Their product is edited in place: the service rating.
  await page.getByRole('button', { name: 'Edit Pumpa K-90' }).click();
  await page.locator('#f-cpe-service').selectOption('3');
  await page.locator('form', { has: page.locator('#f-cpe-service') }).getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('tr', { hasText: 'Pumpa K-90' }).first()).toContainText('4 / 3');
  // An observation recorded by mistake on the competitor's page is removed again.
  await page.getByRole('button', { name: 'Record a competitor observation' }).click();
  const obs = page.getByRole('region', { name: 'Record a competitor observation' });
  await obs.getByLabel('Their price').fill('1');
  await obs.getByLabel('Observed on').fill('2026-11-01');
  await obs.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('table.observations')).toContainText('1.00 RSD');
  page.once('dialog', (d) => d.accept());
  await page.locator('table.observations').getByRole('button', { name: /^Remove/ }).click();
  await expect(page.locator('table.observations')).toHaveCount(0);
  await expect(page.getByText('No observations yet.')).toBeVisible();
  expect(problems).toEqual([]);
});

test('a salesperson records a competitor price at a customer and loses the deal to that competitor', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, SALES_A);
  await open(page, '/accounts/new');
  await page.getByLabel('Name').fill('Vodovod Kraljevo');
  await page.getByLabel('Category').selectOption('A');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await hydrated(page);

  // Quick entry of a field observation from the account page.
  const panel = page.locator('section.card', { has: page.getByRole('heading', { name: 'Competition' }) });
  await panel.getByRole('button', { name: 'Record a competitor observation' }).click();
  const form = page.getByRole('region', { name: 'Record a competitor observation' });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('Competitor is required')).toBeVisible();
  await form.locator('#f-obs-competitor_id').selectOption({ label: 'Konkurent Pumpe d.o.o.' });
  await form.getByLabel('Competitor product').selectOption({ label: 'Pumpa K-90' });
  await form.getByLabel('Their price').fill('82.500');
  await form.getByLabel('Rebate or discount %').fill('5');
  await form.getByLabel('Payment terms').fill('60 dana');
  await form.getByLabel('Why the customer likes it').fill('Odloženo plaćanje 60 dana');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByText('82,500.00 RSD')).toBeVisible();

  // A deal with our product: the price comes from the price list, the value follows the lines.
  await open(page, '/opportunities/new');
  await page.getByLabel('Name').fill('Pumpna stanica Kraljevo');
  await page.getByLabel('Search: Account').fill('Vodovod Kraljevo');
  await expect(page.locator('#f-account_id option', { hasText: 'Vodovod Kraljevo' })).toHaveCount(1);
  await page.getByLabel('Estimated value').fill('50.000');
  await page.getByLabel('Expected close date').fill('2027-03-31');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/opportunities\/\d+$/);
  await hydrated(page);
  const deal = page.locator('section.deal');
  await deal.getByLabel('Search: Product').fill('PMP-E2E');
  await expect(page.locator('#f-line-product_id option', { hasText: 'Pumpa E2E 100' })).toHaveCount(1);
  await deal.getByLabel('Quantity').fill('2');
  await deal.getByRole('button', { name: 'Add line' }).click();
  await expect(deal.getByRole('cell', { name: /90,000\.00 RSD/ })).toBeVisible();
  await expect(deal.getByText('Veleprodaja E2E')).toBeVisible();
  await expect(page.getByLabel('Estimated value')).toHaveValue('180000');
  // A salesperson never sees cost or margin — not on screen, not in the page's data.
  await expect(deal.getByRole('columnheader', { name: 'Margin' })).toHaveCount(0);
  const html = await (await page.request.get(page.url())).text();
  expect(html).not.toContain('6000000');
  expect(html).not.toContain('60,000.00');

  // Close as lost: the reason is required; then lost to the competitor on price.
  await deal.getByRole('button', { name: 'Close as lost' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Close as lost' }).click();
  await expect(dialog.getByText('Reason is required')).toBeVisible();
  await dialog.getByLabel('Loss reason').selectOption({ label: 'Price' });
  await dialog.getByLabel('Competitor who won').selectOption({ label: 'Konkurent Pumpe d.o.o.' });
  await dialog.getByLabel('Lessons learned').fill('Njihova cena je 8 % niža uz 60 dana plaćanja.');
  await dialog.getByRole('button', { name: 'Close as lost' }).click();
  await expect(page.locator('.close-info.lost')).toContainText('Price');
  await expect(page.locator('.close-info.lost').getByRole('link', { name: 'Konkurent Pumpe d.o.o.' })).toBeVisible();
  await expect(page.locator('.summary .badge-lost')).toBeVisible();
  // A closed deal's lines are locked; only a manager may reopen it.
  await expect(deal.getByRole('button', { name: 'Add line' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reopen' })).toHaveCount(0);

  // The win/loss page counts it, by competitor and by reason, and drills down to the deal.
  await open(page, '/win-loss');
  const byCompetitor = page.locator('figure', { hasText: 'Win rate by competitor' });
  const row = byCompetitor.locator('li', { hasText: 'Konkurent Pumpe d.o.o.' });
  await expect(row).toContainText('0 %');
  await row.getByRole('link', { name: '1 Lost' }).click();
  await expect(page).toHaveURL(/outcome=lost&competitor=\d+/);
  await expect(page.getByRole('link', { name: 'Pumpna stanica Kraljevo' })).toBeVisible();
  await open(page, '/win-loss');
  await page.locator('figure', { hasText: 'Loss reasons' }).getByRole('link', { name: /Price/ }).click();
  await expect(page).toHaveURL(/outcome=lost&reason=\d+/);
  await expect(page.getByRole('link', { name: 'Pumpna stanica Kraljevo' })).toBeVisible();

  // The competitor page shows the observed price against ours, the loss and why customers choose them.
  await open(page, '/competitors');
  await page.getByRole('link', { name: 'Konkurent Pumpe d.o.o.' }).click();
  await hydrated(page);
  await expect(page.locator('.summary')).toContainText('0 % (0 / 1)');
  const prices = page.locator('section.card', { has: page.getByRole('heading', { name: 'Their products against ours' }) });
  const product = prices.locator('tr', { hasText: 'Pumpa K-90' });
  await expect(product).toContainText('100,000.00 RSD');
  await expect(product).toContainText('82,500.00 RSD');
  await expect(product).toContainText('-17.5 % vs ours');
  const why = page.locator('section.card', { has: page.getByRole('heading', { name: /Why customers choose/ }) });
  await expect(why.getByRole('link', { name: /Price/ })).toBeVisible();
  await expect(why.getByText('Odloženo plaćanje 60 dana')).toBeVisible();
  await expect(page.locator('section.card', { hasText: 'Deals where they compete' }).getByRole('link', { name: 'Pumpna stanica Kraljevo' })).toBeVisible();
  await expect(page.locator('table.observations')).toContainText('Vodovod Kraljevo');
  expect(problems).toEqual([]);
});

test('the board closes a deal through the close dialog; an administrator reopens it', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/opportunities/new');
  await page.getByLabel('Name').fill('Zamena ventila Čačak');
  await page.getByLabel('Search: Account').fill('Vodovod Kraljevo');
  await expect(page.locator('#f-account_id option', { hasText: 'Vodovod Kraljevo' })).toHaveCount(1);
  await page.getByLabel('Estimated value').fill('240.000');
  await page.getByLabel('Expected close date').fill('2027-02-15');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/opportunities\/\d+$/);
  const url = page.url();

  await open(page, '/pipeline');
  const card = page.locator('article.opp-card', { hasText: 'Zamena ventila Čačak' });
  // Dragging onto "won" opens the dialog; Escape leaves the card where it was.
  await card.dragTo(page.locator('.close-zone.won'));
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: /Close as won: Zamena ventila Čačak/ })).toBeVisible();
  await dialog.getByLabel('Actual value').press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(card).toBeVisible();
  // The keyboard way: the card's stage menu.
  await card.getByLabel(/Move to stage/).selectOption({ label: 'Won' });
  await expect(dialog.getByLabel('Actual value')).toHaveValue('240000');
  await dialog.getByLabel('Actual close date').fill('2099-01-01');
  await dialog.getByRole('button', { name: 'Close as won' }).click();
  await expect(dialog.getByText('Expected close date cannot be in the future')).toBeVisible();
  await dialog.getByLabel('Actual value').fill('235.000');
  await dialog.getByLabel('Actual close date').fill('2026-11-20');
  await dialog.getByRole('button', { name: 'Close as won' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(card).toHaveCount(0);
  await open(page, url.replace(/^https?:\/\/[^/]+/, ''));
  await expect(page.locator('.close-info.won')).toContainText('235,000.00 RSD');

  // An administrator reopens it into Negotiation; the history keeps the close.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, ADMIN);
  await open(page, url.replace(/^https?:\/\/[^/]+/, ''));
  await page.getByLabel('Reopen into stage').selectOption({ label: 'Negotiation' });
  await page.getByRole('button', { name: 'Reopen' }).click();
  await expect(page.locator('.summary .badge')).toHaveText('Negotiation');
  await open(page, url.replace(/^https?:\/\/[^/]+/, '') + '?tab=history');
  await expect(page.getByText('235000').first()).toBeVisible();
});
