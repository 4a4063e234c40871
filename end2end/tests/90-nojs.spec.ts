import { test, expect } from '@playwright/test';
import { ADMIN, MANAGER, SALES_A, otherThan, totp } from './helpers';

// With JavaScript off, every page still renders on the server and can be read; even sign-in works.
test('pages render and read without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(SALES_A.email);
  await page.getByLabel('Password').fill(SALES_A.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();

  await page.goto('/pipeline');
  await expect(page.locator('section.column').first()).toBeVisible();
  await expect(page.getByText('Rashladna komora 2027')).toBeVisible();

  await page.goto('/accounts?q=mlekara');
  await expect(page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.getByLabel('City')).toHaveValue('Šabac');
  await expect(page.getByRole('complementary').getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();
  // The 360° timeline reads without JavaScript, and its filter is a plain form.
  await expect(page.locator('li.tl-item', { hasText: 'Poziv oko cene mleka' })).toBeVisible();
  await page.locator('.timeline-filters select').selectOption('notes');
  await page.locator('.timeline-filters').getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/tl=notes/);
  await expect(page.locator('li.tl-note')).toHaveCount(1);
  await expect(page.locator('li.tl-activity')).toHaveCount(0);

  // The help link is a plain link to the guide's page about the page, which reads without JavaScript.
  await page.getByRole('link', { name: 'Help for this page (user guide)' }).click();
  await expect(page).toHaveURL(/\/help\/accounts$/);
  await expect(page.locator('article.guide').getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();

  // Searched: earlier stories add enough contacts to move him past the first page.
  await page.goto('/contacts?q=djordje');
  await expect(page.getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();
  await page.goto('/opportunities');
  await expect(page.getByRole('link', { name: 'Rashladna komora 2027' })).toBeVisible();

  // Leads (list and board), My day and the calendar render on the server.
  await page.goto('/leads?rating=hot');
  await expect(page.getByRole('link', { name: 'Zoran Lukić · Pivara Kikinda d.o.o.' })).toBeVisible();
  await page.goto('/leads?view=board');
  await expect(page.locator('section.column[data-status="disqualified"]')).toBeVisible();
  await page.goto('/my-day');
  await expect(page.getByRole('heading', { name: /^Overdue/ })).toBeVisible();
  await page.goto('/calendar?view=month');
  await expect(page.locator('.cal-day').first()).toBeVisible();

  // Win/loss, its filters and drill-down, and the competitor page read without JavaScript.
  await page.goto('/win-loss');
  await expect(page.locator('figure', { hasText: 'Win rate by competitor' }).getByText('Konkurent Pumpe d.o.o.')).toBeVisible();
  await page.locator('form.filters select[name="region"]').selectOption('');
  await page.locator('form.filters').getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/win-loss\?/);
  await page.locator('figure', { hasText: 'Loss reasons' }).getByRole('link', { name: /Price/ }).click();
  await expect(page.getByRole('link', { name: 'Pumpna stanica Kraljevo' })).toBeVisible();
  await page.goto('/competitors');
  await page.getByRole('link', { name: 'Konkurent Pumpe d.o.o.' }).click();
  await expect(page.locator('table.observations')).toContainText('82,500.00 RSD');
  await expect(page.locator('.line-chart, .empty, .muted').first()).toBeVisible();
  await page.goto('/products?q=pmp-e2e');
  await expect(page.getByRole('link', { name: 'Pumpa E2E 100' })).toBeVisible();

  // Imports are for managers and administrators.
  await page.goto('/imports');
  await expect(page.getByText('You are not allowed to do this.')).toBeVisible();

  // The top-bar search is a plain form.
  await page.getByRole('searchbox', { name: 'Search accounts, contacts, leads and opportunities' }).fill('mlekara');
  await page.getByRole('searchbox', { name: 'Search accounts, contacts, leads and opportunities' }).press('Enter');
  await expect(page).toHaveURL(/\/search\?q=mlekara/);
  await expect(page.locator('ul.search-results').getByRole('link', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();

  // The language switch and sign-out are plain forms: the browser posts them and comes back.
  await page.getByRole('button', { name: 'Language: SR' }).click();
  await expect(page).toHaveURL(/\/search\?q=mlekara/);
  await expect(page.getByRole('link', { name: 'Prodajni levak', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Jezik: EN' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/pipeline');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('imports and the duplicate scan read and work without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
  // Imports: the list, an import's outcome, and uploading a file (a plain multipart form).
  await page.goto('/imports');
  await page.getByRole('link', { name: 'kupci-e2e.csv' }).click();
  await expect(page.locator('#import-status')).toHaveText('Undone');
  await expect(page.locator('#rejects')).toContainText('Tax ID (PIB) is not a valid PIB');
  await page.goto('/imports');
  await page.getByLabel('File').setInputFiles({ name: 'bez-js.csv', mimeType: 'text/csv', buffer: Buffer.from('Ime;Prezime;Email\nPera;Perić;pera@primer.rs\n') });
  await page.getByLabel('Records').selectOption('contact');
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.getByLabel('Prezime')).toHaveValue('last_name');
  // The duplicate scan's filter is a plain form.
  await page.goto('/duplicates');
  await page.locator('form.filters select[name="entity"]').selectOption('contact');
  await page.locator('form.filters').getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/duplicates\?entity=contact/);

});

test('reports and goals read without JavaScript, with filters as plain forms', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(MANAGER.email);
  await page.getByLabel('Password').fill(MANAGER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();

  await page.goto('/reports/forecast?from=2031-05-01&to=2031-06-30&group=region');
  const kpi = (label: string) => page.locator('.kpi', { has: page.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.kpi-value');
  await expect(kpi('Weighted')).toHaveText('3,000,000 RSD');
  await expect(page.locator('.report-table tbody tr', { hasText: 'Srem E2E' })).toContainText('2,000,000 RSD');
  await page.locator('select[name="region"]').selectOption('Srem E2E');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/region=Srem\+E2E/);
  await expect(kpi('Weighted')).toHaveText('2,000,000 RSD');
  await page.locator('.col', { hasText: '2031-05' }).locator('a.col-seg.weighted').click();
  await expect(page.getByRole('link', { name: 'Hladnjača Srem E2E' })).toBeVisible();

  await page.goto('/');
  await expect(page.getByRole('figure', { name: 'Team pipeline' })).toBeVisible();
  await expect(page.locator('.gauge-chart svg').first()).toBeVisible();
  await page.goto('/reports/pipeline');
  await expect(page.locator('.funnel a.funnel-step').first()).toBeVisible();
  await page.goto('/reports/adoption');
  await expect(page.locator('#weekly-activities table')).toBeVisible();
  await page.goto('/goals?on=2031-05-15');
  await expect(page.locator('.goal-card', { hasText: 'Prodaja Beograd' })).toContainText('2,000,000 RSD');
});

// Two-factor sign-in without JavaScript: set up on the account page (the QR code and the key render on
// the server, the recovery codes follow the confirming form), then the password and the code.
test('two-factor sign-in works without JavaScript', async ({ page }) => {
  const NINA = { email: 'nina.bezjs@veza.test', password: 'ninina-lozinka-1', name: 'Nina Bez Skripte' };
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/admin');
  const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite user' }) });
  await invite.getByLabel('Full name').fill(NINA.name);
  await invite.getByLabel('Email').fill(NINA.email);
  await invite.getByLabel('Role').selectOption('sales');
  await invite.getByLabel('First password').fill(NINA.password);
  await invite.getByRole('button', { name: 'Invite user' }).click();
  await expect(page.getByRole('cell', { name: NINA.email })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.goto('/login');
  await page.getByLabel('Email').fill(NINA.email);
  await page.getByLabel('Password').fill(NINA.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/account');
  await page.locator('#two-factor-begin').getByLabel('Password').fill(NINA.password);
  await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(page.locator('#two-factor .qr svg')).toBeVisible();
  const secret = (await page.locator('#two-factor-secret').textContent())!.trim();
  await page.getByLabel('2. Type the 6-digit code the app shows').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.locator('#recovery-codes li')).toHaveCount(10);
  await page.goto('/account');
  await expect(page.locator('#recovery-codes')).toHaveCount(0);
  await expect(page.locator('#recovery-left')).toHaveText('10');
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.goto('/login');
  await page.getByLabel('Email').fill(NINA.email);
  await page.getByLabel('Password').fill(NINA.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Signing in as')).toContainText(NINA.email);
  const next = totp(secret, 1);
  await page.getByLabel('Code').fill(otherThan(next));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('Code is not right; attempts left: 4')).toBeVisible();
  await page.getByLabel('Code').fill(next);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
});
