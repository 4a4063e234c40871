import { test, expect } from '@playwright/test';
import { ADMIN, SALES_A, SALES_B, open, signIn } from './helpers';

// A fresh installation: the first visitor is sent to setup and creates the administrator, who then
// creates a second team and invites two salespeople (one per team) on the admin page.
test('first-run setup creates the administrator, who invites users', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Full name').fill(ADMIN.name);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Team name').fill('Prodaja Beograd');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  // Too short a password is explained and the form keeps what was typed.
  await expect(page.getByText('Password is too short')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();

  await open(page, '/admin');
  await page.getByLabel('New team').fill('Prodaja Niš');
  await page.getByRole('button', { name: 'Add team' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Prodaja Niš' })).toBeVisible();

  for (const [user, team] of [[SALES_A, 'Prodaja Beograd'], [SALES_B, 'Prodaja Niš']] as const) {
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Invite user' }) });
    await form.getByLabel('Full name').fill(user.name);
    await form.getByLabel('Email').fill(user.email);
    await form.getByLabel('Role').selectOption('sales');
    await form.getByLabel('Team').selectOption({ label: team });
    await form.getByLabel('First password').fill(user.password);
    await form.getByRole('button', { name: 'Invite user' }).click();
    await expect(page.getByRole('cell', { name: user.email })).toBeVisible();
  }
  // The setup page is closed once a user exists.
  await open(page, '/setup');
  await expect(page).not.toHaveURL(/\/setup$/);
});

test('sign-in refuses a wrong password and keeps the email', async ({ page }) => {
  await open(page, '/login');
  await page.getByLabel('Email').fill(SALES_A.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Wrong email or password.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(SALES_A.email);
  await signIn(page, SALES_A);
  await expect(page.locator('.username')).toHaveText(SALES_A.name);
});
