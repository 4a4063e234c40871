import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { ADMIN, MANAGER, SALES_B, open, readXlsx, signIn, watchErrors } from './helpers';


async function newAccount(page: Page, name: string, region: string) {
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill(name);
  await page.getByLabel('Region').fill(region);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  return page.url();
}

async function newDeal(page: Page, accountUrl: string, name: string, amount: string, probability: string, close: string, category: string) {
  await open(page, accountUrl);
  await page.getByRole('link', { name: 'New opportunity' }).click();
  await expect(page).toHaveURL(/\/opportunities\/new\?account=\d+/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByLabel('Name').first().fill(name);
  await page.getByLabel('Estimated value').fill(amount);
  await page.getByLabel('Probability (%)').fill(probability);
  await page.getByLabel('Expected close date').fill(close);
  await page.getByLabel('Forecast category').selectOption({ label: category });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/opportunities\/\d+$/);
  await expect(page.locator('.summary')).toContainText(category);
}

test('the administrator adds a sales manager, who sets a team goal', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/admin');
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite user' }) });
  await form.getByLabel('Full name').fill(MANAGER.name);
  await form.getByLabel('Email').fill(MANAGER.email);
  await form.getByLabel('Role').selectOption('manager');
  await form.getByLabel('Team').selectOption({ label: 'Prodaja Beograd' });
  await form.getByLabel('First password').fill(MANAGER.password);
  await form.getByRole('button', { name: 'Invite user' }).click();
  await expect(page.getByRole('cell', { name: MANAGER.email })).toBeVisible();

  await page.context().clearCookies();
  await signIn(page, MANAGER);
  await open(page, '/goals?on=2031-05-15');
  await expect(page.getByText('No goals run on this day.')).toBeVisible();
  const goal = page.locator('#goal-form');
  // A managers sets goals for their own team and its people only.
  await expect(goal.getByLabel('For').locator('option', { hasText: 'Prodaja Niš' })).toHaveCount(0);
  await goal.getByLabel('Metric').selectOption({ label: 'Won revenue' });
  await goal.getByLabel('For').selectOption({ label: 'Prodaja Beograd' });
  await goal.getByRole('combobox', { name: 'Period', exact: true }).selectOption('month');
  await goal.getByLabel('Period (any day in it)').fill('2031-05-15');
  // A target that is not a number is explained and the form keeps what was typed.
  await goal.getByRole('textbox', { name: 'Target', exact: true }).fill('dva miliona');
  await goal.getByRole('button', { name: 'Save' }).click();
  await expect(goal.getByText('Target is not a valid number')).toBeVisible();
  await expect(goal.getByLabel('Period (any day in it)')).toHaveValue('2031-05-15');
  await goal.getByRole('textbox', { name: 'Target', exact: true }).fill('2.000.000');
  await goal.getByRole('button', { name: 'Save' }).click();
  const card = page.locator('.goal-card', { hasText: 'Prodaja Beograd' });
  await expect(card).toBeVisible();
  await expect(card).toContainText('Won revenue');
  await expect(card).toContainText('2031-05');
  await expect(card).toContainText('2,000,000 RSD');
  expect(problems).toEqual([]);
});

test('a manager opens the forecast, filters to a region, drills down to the deals and exports XLSX with the same totals', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, MANAGER);
  const banat = await newAccount(page, 'Banat Agro E2E d.o.o.', 'Banat E2E');
  const srem = await newAccount(page, 'Srem Trade E2E d.o.o.', 'Srem E2E');
  // Weighted: 1,000,000 × 50 % = 500,000 (May); 2,000,000 × 25 % = 500,000 (June); 4,000,000 × 50 % = 2,000,000 (May, other region).
  await newDeal(page, banat, 'Kotao Banat E2E', '1.000.000', '50', '2031-05-15', 'Commit');
  await newDeal(page, banat, 'Silos Banat E2E', '2.000.000', '25', '2031-06-10', 'Best case');
  await newDeal(page, srem, 'Hladnjača Srem E2E', '4.000.000', '50', '2031-05-20', 'Pipeline');

  await open(page, '/reports/forecast?from=2031-05-01&to=2031-06-30');
  const kpi = (label: string) => page.locator('.kpi', { has: page.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.kpi-value');
  await expect(kpi('Weighted')).toHaveText('3,000,000 RSD');
  await expect(kpi('Open pipeline')).toHaveText('7,000,000 RSD');
  // The team's goal for May stands beside the forecast.
  await expect(page.locator('.col', { hasText: '2031-05' }).locator('.col-marker')).toHaveCount(1);
  await expect(kpi('Goal')).toHaveText('2,000,000 RSD');

  // One region, rows by forecast category.
  await page.locator('select[name="region"]').selectOption('Banat E2E');
  await page.locator('select[name="group"]').selectOption('forecast');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/region=Banat\+E2E/);
  await expect(kpi('Weighted')).toHaveText('1,000,000 RSD');
  await expect(kpi('Open pipeline')).toHaveText('3,000,000 RSD');
  const table = page.locator('.report-table table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tr', { hasText: 'Commit' })).toContainText('500,000 RSD');
  await expect(table.locator('tfoot tr').first()).toContainText('1,000,000 RSD');

  // Export first (the filters of the page), then read the workbook back.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  expect(download.suggestedFilename()).toBe('forecast-2031-05-01-2031-06-30.xlsx');
  const rows = readXlsx(fs.readFileSync((await download.path())!));
  const header = rows[0];
  const col = (name: string) => header.findIndex((h) => h.startsWith(name));
  const total = rows[rows.length - 1];
  expect(total[col('Rows')]).toBe('Total');
  expect(Number(total[col('Weighted')])).toBe(1_000_000);
  expect(Number(total[col('Open pipeline')])).toBe(3_000_000);
  expect(Number(total[col('Deals')])).toBe(2);
  // The lines add up to the total.
  const lines = rows.slice(1, -1).filter((r) => r[col('Rows')] !== 'Goal');
  expect(lines.reduce((s, r) => s + Number(r[col('Weighted')]), 0)).toBe(1_000_000);
  expect(lines.map((r) => r[col('Rows')]).sort()).toEqual(['Best case', 'Commit']);

  // Drill down from May's weighted bar to the deals behind it.
  await page.locator('.col', { hasText: '2031-05' }).locator('a.col-seg.weighted').click();
  await expect(page).toHaveURL(/\/opportunities\?outcome=open&from=2031-05-01&to=2031-05-31.*region=Banat(\+|%20)E2E/);
  await expect(page.getByRole('link', { name: 'Kotao Banat E2E' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Silos Banat E2E' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Hladnjača Srem E2E' })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the sales history compares with the same period a year earlier', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, MANAGER);
  await open(page, '/reports/sales?period=quarter&group=owner');
  await expect(page.getByRole('heading', { name: 'Sales history' })).toBeVisible();
  await expect(page.locator('select[name="period"]')).toHaveValue('quarter');
  await expect(page.locator('select[name="group"]')).toHaveValue('owner');
  // Either figures or the empty state: never an error.
  await expect(page.locator('.kpis, .empty').first()).toBeVisible();
  await expect(page.locator('.banner-error')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the home page is the dashboard: a manager sees the team forecast, today, win rate and activity, each a link to its report', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, MANAGER);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Team pipeline' })).toBeVisible();
  await expect(page.locator('.kpi', { hasText: 'Win rate' })).toBeVisible();
  // The win rate and the team goal as gauges, the team's activity of four weeks as columns.
  await expect(page.locator('.gauge-chart figcaption', { hasText: 'Win rate' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Team activity, last four weeks' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Team activity, last four weeks' }).locator('li.col')).toHaveCount(4);
  await expect(page.getByRole('heading', { name: "Today's work" })).toBeVisible();
  await page.getByRole('link', { name: 'Reports' }).click();
  await expect(page).toHaveURL(/\/reports\/forecast$/);
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Goals', exact: true }).click();
  await expect(page).toHaveURL(/\/goals$/);
  await page.getByRole('link', { name: 'Pipeline', exact: true }).click();
  await expect(page).toHaveURL(/\/pipeline$/);
  await expect(page.locator('section.column').first()).toBeVisible();
  // The old address of the dashboard still leads home.
  await open(page, '/dashboard');
  await expect(page).toHaveURL(/\/$/);
  expect(problems).toEqual([]);
});

test('pipeline health: a funnel step and an age bucket open their deals, and the export has the same figures', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, MANAGER);
  await open(page, '/reports/pipeline');
  const step = page.locator('.funnel a.funnel-step').first();
  const stage = (await step.locator('.funnel-label').innerText()).trim();
  const reached = Number((await step.locator('.funnel-value').innerText()).split(' ')[0].replace(/,/g, ''));
  // At least the manager's three deals of today.
  expect(reached).toBeGreaterThanOrEqual(3);
  const created = Number((await page.locator('.kpi', { hasText: 'Deals created' }).locator('.kpi-value').innerText()).replace(/,/g, ''));

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^pipeline-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const book = fs.readFileSync((await download.path())!);
  const figures = readXlsx(book, 1);
  expect(figures.find((r) => r[0] === 'Deals created')?.[1]).toBe(String(created));
  const funnel = readXlsx(book, 2);
  expect(funnel[0].slice(0, 2)).toEqual(['Stage', 'Opportunities']);
  expect(funnel[1].slice(0, 2)).toEqual([stage, String(reached)]);
  const ageing = readXlsx(book, 3);
  const young = Number(ageing[1][1]);

  await step.click();
  await expect(page).toHaveURL(/\/opportunities\?created_from=\d{4}-\d{2}-\d{2}&created_to=\d{4}-\d{2}-\d{2}&reached=\d+$/);
  await expect(page.locator('.pager')).toContainText(`${reached} results`);

  // The youngest age bucket: the open deals created in the last 30 days.
  await open(page, '/reports/pipeline');
  await page.getByRole('figure', { name: 'Age of open deals' }).locator('a.bar-row').first().click();
  await expect(page).toHaveURL(/\/opportunities\?outcome=open&created_from=\d{4}-\d{2}-\d{2}/);
  await expect(page.locator('.pager')).toContainText(`${young} results`);
  expect(problems).toEqual([]);
});

test('adoption shows activities per salesperson and week and completeness per team; adoption and goals export', async ({ page }) => {
  const problems = watchErrors(page);
  await signIn(page, ADMIN);
  await open(page, '/reports/adoption');
  const weekly = page.locator('#weekly-activities table');
  await expect(weekly.locator('thead th')).toHaveCount(5);
  await expect(weekly.locator('tbody th', { hasText: SALES_B.name })).toBeVisible();
  await expect(page.locator('.completeness .by-team').first()).toContainText('Prodaja Beograd');

  // Narrowed to one team, the people of other teams (Bojan, of Niš) leave the page.
  await page.locator('select[name="team"]').selectOption({ label: 'Prodaja Beograd' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/team=\d+/);
  await expect(weekly.locator('tbody th', { hasText: SALES_B.name })).toHaveCount(0);
  await expect(weekly.locator('tbody th', { hasText: MANAGER.name })).toBeVisible();

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^adoption-.*\.csv$/);
  const text = fs.readFileSync((await csv.path())!, 'utf8');
  expect(text).toContain('Activities per salesperson and week');
  expect(text).toContain('Data completeness');
  expect(text).toContain(MANAGER.name);

  await open(page, '/goals?on=2031-05-15');
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  expect(xlsx.suggestedFilename()).toBe('goals-2031-05-15.xlsx');
  const rows = readXlsx(fs.readFileSync((await xlsx.path())!));
  expect(rows[0].slice(0, 4)).toEqual(['Metric', 'For', 'Period', 'Target']);
  const goal = rows.find((r) => r[1] === 'Prodaja Beograd');
  expect(goal?.[0]).toBe('Won revenue');
  expect(goal?.[2]).toBe('2031-05');
  expect(Number(goal?.[3])).toBe(2_000_000);
  expect(problems).toEqual([]);
});
