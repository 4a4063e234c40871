import { expect, Page } from '@playwright/test';
import * as crypto from 'crypto';
import * as zlib from 'zlib';

export const ADMIN = { email: 'admin@veza.test', password: 'admin-lozinka-1', name: 'Ana Admin' };
export const SALES_A = { email: 'sales.a@veza.test', password: 'sales-lozinka-1', name: 'Sava Prodavac' };
export const MANAGER = { email: 'manager@veza.test', password: 'manager-lozinka-1', name: 'Mila Menadžer' };
export const SALES_B = { email: 'sales.b@veza.test', password: 'sales-lozinka-2', name: 'Bojan Drugi' };

/** Collects console and page errors (failed resource loads aside): a page must hydrate cleanly. */
export function watchErrors(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('Failed to load resource')) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

/** Opens a page, retrying while the server starts, and waits until the app is hydrated. */
export async function open(page: Page, path: string) {
  for (let i = 0; i < 60; i++) {
    try {
      await page.goto(path);
      break;
    } catch (e) {
      if (i === 59) throw e;
      await page.waitForTimeout(1000);
    }
  }
  await expect(page.locator('body[data-hydrated="true"]'), `${path} is hydrated`).toHaveCount(1);
}

export async function signIn(page: Page, user: { email: string; password: string }) {
  await open(page, '/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Pipeline', exact: true })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

/** The entries of a zip file (stored or deflated), read with Node alone through its central directory. */
export function readZip(buf: Buffer): Record<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < entries; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data);
    p += 46 + nameLen + extra + comment;
  }
  return files;
}

/**
 * Reads a sheet (the first unless told) of an XLSX file into rows of cell texts (numbers as written), with nothing but
 * Node: an XLSX is a zip of XML parts; the central directory says where each part starts.
 */
export function readXlsx(buf: Buffer, sheet = 1): string[][] {
  const files: Record<string, string> = Object.fromEntries(Object.entries(readZip(buf)).map(([n, b]) => [n, b.toString('utf8')]));
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const shared = Array.from((files['xl/sharedStrings.xml'] ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)).map((m) =>
    unescape(Array.from(m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)).map((t) => t[1]).join('')),
  );
  const rows: string[][] = [];
  for (const r of (files[`xl/worksheets/sheet${sheet}.xml`] ?? '').matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)) {
    const row: string[] = [];
    for (const c of r[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const col = c[1].split('').reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      const v = /<v>([\s\S]*?)<\/v>/.exec(c[3] ?? '')?.[1] ?? '';
      const inline = /<t[^>]*>([\s\S]*?)<\/t>/.exec(c[3] ?? '')?.[1];
      row[col] = /t="s"/.test(c[2]) ? shared[Number(v)] : inline !== undefined ? unescape(inline) : v;
    }
    rows.push(Array.from(row, (x) => x ?? ''));
  }
  return rows;
}

/** Bytes of a base32 (RFC 4648) text, as an authenticator app reads a typed key. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows for `secret` (RFC 6238: HMAC-SHA1, 30 s, 6 digits), `steps` steps from now. */
export function totp(secret: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + steps));
  const hash = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const at = hash[hash.length - 1] & 0x0f;
  const value = ((hash[at] & 0x7f) << 24) | (hash[at + 1] << 16) | (hash[at + 2] << 8) | hash[at + 3];
  return String(value % 1_000_000).padStart(6, '0');
}

/** A 6-digit code that is not `code`. */
export function otherThan(code: string): string {
  return code === '000000' ? '111111' : '000000';
}
