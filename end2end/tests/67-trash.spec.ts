import { test, expect, Page } from '@playwright/test';
import { ADMIN, SALES_A, SALES_B, open, signIn } from './helpers';

// Deleting moves a record to the trash with what goes with it; the trash lists it with who deleted it
// and the days left, restores it with its links and history, and only an administrator deletes
// forever, empties the trash and sets how long it keeps records.

const run = Date.now().toString(36);

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** Creates a lead as the signed-in user and returns its page's path. */
async function newLead(page: Page, company: string, first: string, last: string) {
  await open(page, '/leads/new');
  await page.getByLabel('Company').fill(company);
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill(last);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await hydrated(page);
  return new URL(page.url()).pathname;
}

async function deleteOnPage(page: Page) {
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
}

test('a deleted lead goes to the trash with its note and comes back with its history', async ({ page }) => {
  const company = `Korpa ${run} d.o.o.`;
  const name = `Tara Trašić · ${company}`;
  await signIn(page, SALES_A);
  const path = await newLead(page, company, 'Tara', 'Trašić');
  await page.getByRole('button', { name: 'Add a note' }).click();
  await page.getByLabel(/Note \(Markdown/).fill('Razgovor o ceni');
  await page.getByRole('region', { name: 'Add a note' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('li.tl-note').filter({ hasText: 'Razgovor o ceni' })).toBeVisible();

  await deleteOnPage(page);
  await expect(page.getByRole('status')).toContainText('Moved to the trash. It can be restored from there within 30 days');
  await expect(page).toHaveURL(/\/leads$/);

  await open(page, '/trash');
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('Lead');
  await expect(row).toContainText(SALES_A.name);
  await expect(row.locator('td').nth(2)).toHaveText('1');
  await expect(row.locator('td').nth(5)).toHaveText('30');
  await expect(page.getByRole('button', { name: 'Empty trash' })).toHaveCount(0);
  await row.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('status')).toContainText('Restored with its links and history');
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);

  // The same page again, with its note; its history shows the delete and the restore.
  await open(page, path);
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.locator('li.tl-note').filter({ hasText: 'Razgovor o ceni' })).toBeVisible();
  await open(page, `${path}?tab=history`);
  await expect(page.getByRole('cell', { name: 'deleted', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'restored', exact: true })).toBeVisible();
});

test('only an administrator deletes forever, empties the trash and sets its days', async ({ page }) => {
  const mine = `Otpad ${run} d.o.o.`;
  await signIn(page, SALES_A);
  await newLead(page, mine, 'Ivo', 'Otpadić');
  await deleteOnPage(page);
  await expect(page.getByRole('status')).toContainText('Moved to the trash');

  // Another team's salesperson does not see it.
  await page.context().clearCookies();
  await signIn(page, SALES_B);
  await open(page, '/trash');
  await expect(page.getByRole('heading', { name: 'Trash' })).toBeVisible();
  await expect(page.getByText(mine)).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, ADMIN);
  await open(page, '/trash');
  const row = () => page.getByRole('row').filter({ hasText: mine });
  await expect(row()).toContainText(SALES_A.name);
  await page.getByLabel('Keep deleted records (days)').fill('20');
  await page.locator('#trash-days').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(row().locator('td').nth(5)).toHaveText('20');
  page.once('dialog', (d) => d.accept());
  await row().getByRole('button', { name: 'Delete forever' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted for good' })).toBeVisible();
  await expect(row()).toHaveCount(0);

  // The administrator's own delete, then the whole trash emptied.
  const own = `Ostatak ${run} d.o.o.`;
  await newLead(page, own, 'Ana', 'Ostatković');
  await deleteOnPage(page);
  await expect(page.getByRole('status')).toContainText('within 20 days');
  await open(page, '/trash');
  await expect(page.getByRole('row').filter({ hasText: own })).toBeVisible();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The trash was emptied' })).toBeVisible();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  await page.getByLabel('Keep deleted records (days)').fill('30');
  await page.locator('#trash-days').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
});

test('a merge is undone from the history of the account that stayed', async ({ page }) => {
  const [first, second] = [`Spoj Alfa ${run}`, `Drugo Ime Beta ${run}`];
  await signIn(page, ADMIN);
  const ids: string[] = [];
  for (const [name, city] of [[first, 'Kraljevo'], [second, 'Vranje']]) {
    await open(page, '/accounts/new');
    await page.getByLabel('Name').first().fill(name);
    await page.getByLabel('City').fill(city);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/accounts\/\d+$/);
    ids.push(new URL(page.url()).pathname.split('/').pop()!);
  }
  await open(page, `/duplicates/merge?entity=account&ids=${ids.join(',')}`);
  await page.getByRole('button', { name: 'Merge' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  const survivor = new URL(page.url()).pathname.split('/').pop()!;
  const other = ids.find((i) => i !== survivor)!;
  await open(page, `/accounts/${other}`);
  await expect(page.getByRole('heading', { name: first })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: second })).toHaveCount(0);

  await open(page, `/accounts/${survivor}?tab=history`);
  const undo = page.getByRole('button', { name: 'Undo merge' });
  await expect(undo).toHaveCount(1);
  page.once('dialog', (d) => d.accept());
  await undo.click();
  await expect(page.getByRole('cell', { name: 'merge undone', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo merge' })).toHaveCount(0);
  // Both are back, each with its own name and city.
  await open(page, `/accounts/${other}`);
  await expect(page.getByRole('heading', { name: survivor === ids[0] ? second : first })).toBeVisible();
  await open(page, `/accounts/${survivor}`);
  await expect(page.getByRole('heading', { name: survivor === ids[0] ? first : second })).toBeVisible();
});
