import { test, expect, Browser } from '@playwright/test';
import { ADMIN, open, signIn } from './helpers';

const VESNA = { email: 'vesna@veza.test', password: 'vesnina-lozinka-1', name: 'Vesna Nalog' };

async function signedIn(browser: Browser, user: { email: string; password: string }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, user);
  return { context, page };
}

// A user changes their password from their account page: other browsers are signed out, the sign-in
// history shows the attempts; an administrator's reset makes the user choose a new password first.
test('account: password change ends other sessions; an admin reset forces a new password', async ({ browser }) => {
  const admin = await signedIn(browser, ADMIN);
  await open(admin.page, '/admin');
  const invite = admin.page.locator('form').filter({ has: admin.page.getByRole('button', { name: 'Invite user' }) });
  await invite.getByLabel('Full name').fill(VESNA.name);
  await invite.getByLabel('Email').fill(VESNA.email);
  await invite.getByLabel('Role').selectOption('sales');
  await invite.getByLabel('First password').fill(VESNA.password);
  await invite.getByRole('button', { name: 'Invite user' }).click();
  await expect(admin.page.getByRole('cell', { name: VESNA.email })).toBeVisible();

  const laptop = await signedIn(browser, VESNA);
  const phone = await signedIn(browser, VESNA);
  await laptop.page.getByRole('link', { name: VESNA.name }).click();
  await expect(laptop.page).toHaveURL(/\/account$/);
  await expect(laptop.page.locator('#sessions tbody tr')).toHaveCount(2);
  await expect(laptop.page.locator('#sessions')).toContainText('this browser');

  // A wrong current password and a common new one are explained; the form keeps what was typed.
  const form = laptop.page.locator('#change-password');
  await form.getByLabel('Current password').fill('nije-ova');
  await form.getByLabel('New password').fill('Lozinka123!');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('Current password is not correct')).toBeVisible();
  await form.getByLabel('Current password').fill(VESNA.password);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText(/New password is one of the passwords every attacker tries first/)).toBeVisible();
  await expect(form.getByLabel('New password')).toHaveValue('Lozinka123!');
  await form.getByLabel('New password').fill('Vesnina-Nova-2027');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(laptop.page.getByText('Password changed. Other sessions were ended.')).toBeVisible();
  await expect(laptop.page.locator('#sessions tbody tr')).toHaveCount(1);
  await expect(laptop.page.locator('#sign-ins tbody tr').first()).toContainText('signed in');

  // The phone's session has ended: its next page is the sign-in page.
  await phone.page.goto('/accounts');
  await expect(phone.page).toHaveURL(/\/login$/);

  // The administrator sets a new password: Vesna is signed out and must choose her own before anything else.
  await open(admin.page, '/admin');
  await admin.page.getByRole('row', { name: new RegExp(VESNA.email) }).getByRole('link', { name: 'Security' }).click();
  await expect(admin.page.getByRole('heading', { name: `Security · ${VESNA.name}` })).toBeVisible();
  await expect(admin.page.locator('#sign-ins tbody tr').first()).toContainText('signed in');
  const reset = admin.page.locator('#reset-password');
  await reset.getByLabel('New password').fill('Privremena-Vesna-1');
  await reset.getByRole('button', { name: 'Set a new password' }).click();
  await expect(admin.page.getByText('New password set.')).toBeVisible();

  await laptop.page.goto('/accounts');
  await expect(laptop.page).toHaveURL(/\/login$/);
  await laptop.page.getByLabel('Email').fill(VESNA.email);
  await laptop.page.getByLabel('Password').fill('Privremena-Vesna-1');
  await laptop.page.getByRole('button', { name: 'Sign in' }).click();
  await expect(laptop.page).toHaveURL(/\/account$/);
  await expect(laptop.page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  await laptop.page.goto('/accounts');
  await expect(laptop.page).toHaveURL(/\/account$/);
  await expect(laptop.page.getByRole('alert')).toContainText('An administrator reset your password');
  await form.getByLabel('Current password').fill('Privremena-Vesna-1');
  await form.getByLabel('New password').fill('Vesnina-Treca-2028');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(laptop.page).toHaveURL(/\/$/);
  await open(laptop.page, '/accounts');
  await expect(laptop.page).toHaveURL(/\/accounts$/);
  for (const c of [admin, laptop, phone]) await c.context.close();
});
