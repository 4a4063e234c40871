import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

// A mail server for the end-to-end tests: the Veza server under test sends through it
// (scripts/test.sh sets VEZA_SMTP_URL=smtp://127.0.0.1:2525), and it keeps each message it accepts as a
// JSON file { from, to, data } in MAIL_DIR for the tests to read. Like a real server it refuses unknown
// mailboxes: a recipient whose address starts with "nepostoji" gets "550 5.1.1".

export const SMTP_PORT = Number(process.env.VEZA_E2E_SMTP_PORT ?? 2525);
export const MAIL_DIR = process.env.VEZA_E2E_MAIL_DIR ?? path.join(os.tmpdir(), `veza-e2e-mail-${SMTP_PORT}`);

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

export function startSink(): Promise<net.Server> {
  fs.rmSync(MAIL_DIR, { recursive: true, force: true });
  fs.mkdirSync(MAIL_DIR, { recursive: true });
  let counter = 0;
  const server = net.createServer((socket) => {
    let buffer = '';
    let mail: Mail = { from: '', to: [], data: '' };
    let inData = false;
    socket.write('220 veza-e2e ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            counter += 1;
            fs.writeFileSync(path.join(MAIL_DIR, `${Date.now()}-${counter}.json`), JSON.stringify(mail));
            mail = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else {
            mail.data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO') || upper.startsWith('HELO')) socket.write('250-veza-e2e\r\n250 8BITMIME\r\n');
        else if (upper.startsWith('MAIL FROM')) {
          mail.from = line.slice(10).trim();
          socket.write('250 ok\r\n');
        } else if (upper.startsWith('RCPT TO')) {
          const to = line.slice(8).trim();
          if (/<nepostoji/i.test(to)) socket.write('550 5.1.1 no such user\r\n');
          else {
            mail.to.push(to);
            socket.write('250 ok\r\n');
          }
        } else if (upper.startsWith('DATA')) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (upper.startsWith('RSET')) {
          mail = { from: '', to: [], data: '' };
          socket.write('250 ok\r\n');
        } else if (upper.startsWith('QUIT')) {
          socket.end('221 bye\r\n');
        } else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(SMTP_PORT, '127.0.0.1', () => resolve(server));
  });
}

/** The messages received so far for `address`. */
export function mailTo(address: string): Mail[] {
  if (!fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(MAIL_DIR, f), 'utf8')) as Mail)
    .filter((m) => m.to.some((t) => t.toLowerCase().includes(`<${address.toLowerCase()}>`)));
}
