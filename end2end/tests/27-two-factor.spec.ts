import { test, expect, Page } from '@playwright/test';
import { ADMIN, open, otherThan, signIn, totp } from './helpers';

const TEA = { email: 'teodora@veza.test', password: 'teodorina-lozinka-1', name: 'Teodora Dvofaktor' };

async function signInWithPassword(page: Page) {
  await open(page, '/login');
  await page.getByLabel('Email').fill(TEA.email);
  await page.getByLabel('Password').fill(TEA.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Signing in as')).toContainText(TEA.email);
}

// A user sets up two-factor sign-in from her account page (the QR code, or the key typed into the
// app), keeps her recovery codes, and from then on signs in with the password and a code: a wrong code
// is explained, a recovery code works once; an administrator can require it for a role.
test('two-factor sign-in: enrol, then the password and a code', async ({ browser }) => {
  test.setTimeout(180_000);
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, ADMIN);
  await open(admin, '/admin');
  const invite = admin.locator('form').filter({ has: admin.getByRole('button', { name: 'Invite user' }) });
  await invite.getByLabel('Full name').fill(TEA.name);
  await invite.getByLabel('Email').fill(TEA.email);
  await invite.getByLabel('Role').selectOption('marketing');
  await invite.getByLabel('First password').fill(TEA.password);
  await invite.getByRole('button', { name: 'Invite user' }).click();
  await expect(admin.getByRole('cell', { name: TEA.email })).toBeVisible();

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, TEA);
  await open(page, '/account');
  const card = page.locator('#two-factor');
  await expect(card.locator('#two-factor-state')).toHaveText('Two-factor sign-in is off.');
  // The password first: a wrong one is explained and counted.
  const begin = page.locator('#two-factor-begin');
  await begin.getByLabel('Password').fill('nije-ova-lozinka');
  await begin.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(begin.getByText('Password is not right; attempts left: 4')).toBeVisible();
  await begin.getByLabel('Password').fill(TEA.password);
  await begin.getByRole('button', { name: 'Set up two-factor sign-in' }).click();

  // The QR code is inline SVG (allowed by the page's policy), with the key beside it for typing.
  await expect(card.getByRole('link', { name: 'QR code for the authenticator app' }).locator('svg path')).toHaveCount(1);
  await expect(card.getByRole('link', { name: 'QR code for the authenticator app' })).toHaveAttribute('href', /^otpauth:\/\/totp\/Veza:teodora%40veza\.test\?secret=[A-Z2-7]{32}&issuer=Veza/);
  const secret = (await card.locator('#two-factor-secret').textContent())!.trim();
  expect(secret).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const confirm = page.locator('#two-factor-confirm');
  await confirm.getByLabel('2. Type the 6-digit code the app shows').fill(otherThan(totp(secret)));
  await confirm.getByRole('button', { name: 'Turn on' }).click();
  await expect(confirm.getByText('Code is not right')).toBeVisible();
  await confirm.getByLabel('2. Type the 6-digit code the app shows').fill(totp(secret));
  await confirm.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByText('Two-factor sign-in is on.', { exact: true }).first()).toBeVisible();

  // Ten recovery codes, shown once, to copy or download.
  const codes = page.locator('#recovery-codes li');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.allTextContents()).map((c) => c.trim());
  expect(recovery[0]).toMatch(/^[2-9a-z]{5}-[2-9a-z]{5}$/);
  const download = page.getByRole('link', { name: 'Download' });
  await expect(download).toHaveAttribute('download', 'veza-recovery-codes.txt');
  expect(decodeURIComponent((await download.getAttribute('href'))!)).toContain(recovery[9]);
  await expect(card.locator('#two-factor-state')).toContainText('Two-factor sign-in is on since');
  await open(page, '/account');
  await expect(page.locator('#recovery-codes')).toHaveCount(0);
  await expect(page.locator('#recovery-left')).toHaveText('10');

  // Signed out, the password alone no longer signs in: the code follows.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signInWithPassword(page);
  const form = page.locator('#sign-in-code');
  // The code used at the enrolment is spent: the app's next one (valid a step early) is right.
  const next = totp(secret, 1);
  await form.getByLabel('Code').fill(otherThan(next));
  await form.getByRole('button', { name: 'Verify' }).click();
  await expect(form.getByText('Code is not right; attempts left: 4')).toBeVisible();
  await expect(form.getByLabel('Code')).toHaveValue(otherThan(next));
  await form.getByLabel('Code').fill(next);
  await form.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
  await open(page, '/account');
  await expect(page.locator('#sign-ins tbody tr').nth(0)).toContainText('signed in');
  await expect(page.locator('#sign-ins tbody tr').nth(1)).toContainText('wrong code');
  await expect(page.locator('#sign-ins tbody tr').nth(2)).toContainText('right password, code asked for');

  // A recovery code stands in for the phone, once.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signInWithPassword(page);
  await form.getByLabel('Code').fill(recovery[0]);
  await form.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
  await open(page, '/account');
  await expect(page.locator('#recovery-left')).toHaveText('9');
  await expect(page.locator('#sign-ins tbody tr').nth(0)).toContainText('signed in with a recovery code');

  // An administrator requires two-factor sign-in for marketing: Teodora may no longer turn it off.
  await open(admin, '/admin');
  const roles = admin.locator('#two-factor-roles');
  await roles.getByLabel('Marketing').check();
  await roles.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByText('Saved')).toBeVisible();
  await open(page, '/account');
  await expect(page.locator('#two-factor')).toContainText('Your role requires it.');
  await expect(page.locator('#two-factor-off')).toHaveCount(0);

  // Her phone is lost: the administrator turns it off from her security page; she is sent to set it
  // up again before anything else.
  await admin.getByRole('row', { name: new RegExp(TEA.email) }).getByRole('link', { name: 'Security' }).click();
  await expect(admin.locator('#two-factor-state')).toContainText('Two-factor sign-in is on since');
  admin.once('dialog', (d) => d.accept());
  await admin.getByRole('button', { name: 'Turn off their two-factor sign-in' }).click();
  await expect(admin.locator('#two-factor-state')).toHaveText('Two-factor sign-in is off.');
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('alert').filter({ hasText: 'Your role requires two-factor sign-in' })).toBeVisible();
  await expect(page.locator('#two-factor-begin')).toBeVisible();

  // The requirement goes again (other tests' marketing users sign in with the password alone).
  await open(admin, '/admin');
  await admin.locator('#two-factor-roles').getByLabel('Marketing').uncheck();
  await admin.locator('#two-factor-roles').getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByText('Saved')).toBeVisible();
  await open(page, '/accounts');
  await expect(page).toHaveURL(/\/accounts$/);
  for (const c of [adminContext, context]) await c.close();
});
