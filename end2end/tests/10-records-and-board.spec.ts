import { test, expect, Page } from '@playwright/test';
import { SALES_A, open, signIn } from './helpers';

const column = (page: Page, stage: string) => page.locator('section.column', { has: page.getByRole('heading', { name: new RegExp(`^${stage}`) }) });
const card = (page: Page, name: string) => page.locator('article.opp-card', { hasText: name });

test('a salesperson enters an account, a contact and an opportunity, then works the board', async ({ page }) => {
  await signIn(page, SALES_A);

  // Account: a bad PIB is explained next to the field and nothing typed is lost.
  await open(page, '/accounts/new');
  await page.getByLabel('Name').first().fill('Mlekara Šabac d.o.o.');
  await page.getByLabel('City').fill('Šabac');
  await page.getByLabel('Region').fill('Zapadna Srbija');
  await page.getByLabel('Tax ID (PIB)').fill('123456789');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Tax ID (PIB) is not a valid PIB')).toBeVisible();
  await expect(page.getByLabel('Name').first()).toHaveValue('Mlekara Šabac d.o.o.');
  await expect(page.getByLabel('City')).toHaveValue('Šabac');
  await page.getByLabel('Tax ID (PIB)').fill('100002887');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
  const accountUrl = page.url();

  // Contact, started from the account page so the account is already chosen.
  await page.getByRole('link', { name: 'New contact' }).click();
  await expect(page).toHaveURL(/\/contacts\/new\?account=\d+/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByLabel('First name').fill('Đorđe');
  await page.getByLabel('Last name').fill('Čolić');
  await page.getByLabel('Email').fill('djordje@mlekara.rs');
  await page.getByLabel('Job title').fill('Direktor nabavke');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Đorđe Čolić' })).toBeVisible();

  // Contacts are found without diacritics.
  await open(page, '/contacts?q=djordje+colic');
  await expect(page.getByRole('link', { name: 'Đorđe Čolić' })).toBeVisible();

  // Opportunity.
  await page.goto(accountUrl);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByRole('link', { name: 'New opportunity' }).click();
  await expect(page).toHaveURL(/\/opportunities\/new\?account=\d+/);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await page.getByLabel('Name').first().fill('Rashladna komora 2027');
  await page.getByLabel('Estimated value').fill('1.500.000');
  await page.getByLabel('Expected close date').fill('2027-03-31');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/opportunities\/\d+$/);
  await expect(page.getByText('1,500,000.00 RSD')).toBeVisible();

  // Board: the new card sits in the first stage; drag it to the next one.
  await open(page, '/pipeline');
  await expect(card(page, 'Rashladna komora 2027')).toBeVisible();
  await expect(column(page, 'Prospecting').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await card(page, 'Rashladna komora 2027').dragTo(column(page, 'Qualification'));
  await expect(column(page, 'Qualification').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await expect(page.getByRole('status')).toContainText('Qualification');
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await expect(column(page, 'Qualification').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await expect(card(page, 'Rashladna komora 2027')).toContainText('20%');

  // Keyboard: the card's "Move to stage…" menu, then Alt+→ on the focused card. The server answers slowly here, so
  // the second move is asked for while the first is still on its way: it must wait for it, not be refused as stale.
  await page.route('**/api/move_opportunity*', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue();
  });
  await page.getByLabel('Move to stage… Rashladna komora 2027').selectOption({ label: 'Needs analysis' });
  await expect(column(page, 'Needs analysis').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await card(page, 'Rashladna komora 2027').focus();
  await page.keyboard.press('Alt+ArrowRight');
  await expect(column(page, 'Proposal').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await expect(page.getByRole('status')).toContainText('Proposal');
  await expect(page.getByRole('status')).not.toContainText('changed by someone else');
  await page.unroute('**/api/move_opportunity*');
  await page.reload();
  await expect(column(page, 'Proposal').locator(card(page, 'Rashladna komora 2027'))).toHaveCount(1);
  await expect(card(page, 'Rashladna komora 2027')).toContainText('60%');

  // The opportunity's history names who moved it and between which stages.
  await card(page, 'Rashladna komora 2027').getByRole('link').click();
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Needs analysis' }).filter({ hasText: 'Proposal' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: SALES_A.name }).first()).toBeVisible();
});

test('an account with contacts cannot be deleted', async ({ page }) => {
  await signIn(page, SALES_A);
  await open(page, '/accounts?q=mlekara');
  await page.getByRole('link', { name: 'Mlekara Šabac d.o.o.' }).click();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('cannot be deleted');
  await expect(page.getByRole('heading', { name: 'Mlekara Šabac d.o.o.' })).toBeVisible();
});
