import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small sign-up site on loopback for the demo and the tests: what was typed is recorded. */
export interface SignupSite {
  /** The site's address, such as http://signup.localhost:43127. */
  url: string;
  /** The last value of each field as the page reported it while it was typed. */
  fields: Record<string, string>;
  close(): Promise<void>;
}

const style = `body{font-family:DejaVu Sans,sans-serif;font-size:22px;margin:60px;color:#111}
a,button{font-size:24px}label{display:block;margin:24px 0 8px}
input{font-size:22px;padding:8px;width:420px}button{margin-top:24px;padding:10px 24px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>${style}</style></head><body>${body}</body></html>`;
}

const home = page(
  'Acme Cloud',
  `<h1>Acme Cloud</h1><p>Hosting for small teams.</p>
<p><a href="/signup">Sign Up</a></p>`,
);

const signup = page(
  'Create your account',
  `<h1>Create your account</h1>
<form action="/welcome" method="get">
<label for="email">Email</label><input id="email" name="email" type="email">
<button type="submit">Create account</button></form>
<script>
const field = document.getElementById('email');
const page = Math.random().toString(36).slice(2);
let seq = 0;
field.addEventListener('input', () => fetch('/api/fields', {method: 'POST',
  headers: {'content-type': 'application/json'},
  body: JSON.stringify({page, seq: ++seq, fields: {email: field.value}})}));
</script>`,
);

/**
 * Serves the site on 127.0.0.1. Its URL names the host `signup.localhost`, which Chromium
 * resolves to loopback by itself, so a task can name a site by host without DNS.
 */
export async function startSignupSite(port = 0): Promise<SignupSite> {
  const fields: Record<string, string> = {};
  const latest = new Map<string, number>();
  const server = createServer((request, response) => {
    void handle(request, response, fields, latest);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://signup.localhost:${bound}`, fields, close: () => closeServer(server) };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  fields: Record<string, string>,
  latest: Map<string, number>,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://site').pathname;
  if (request.method === 'POST' && path === '/api/fields') {
    const report = await readReport(request);
    // Keystroke reports travel on parallel requests: an older one of a page may arrive last.
    if (report && report.seq > (latest.get(report.page) ?? 0)) {
      latest.set(report.page, report.seq);
      Object.assign(fields, report.fields);
    }
    response.writeHead(204).end();
    return;
  }
  const html =
    path === '/'
      ? home
      : path === '/signup'
        ? signup
        : path === '/welcome'
          ? page('Welcome', '<h1>Welcome aboard</h1>')
          : undefined;
  if (html === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

interface FieldReport {
  page: string;
  seq: number;
  fields: Record<string, string>;
}

async function readReport(request: IncomingMessage): Promise<FieldReport | undefined> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 10_000) {
      return undefined;
    }
  }
  try {
    const parsed = JSON.parse(body) as Partial<FieldReport>;
    const valid =
      typeof parsed.page === 'string' &&
      typeof parsed.seq === 'number' &&
      typeof parsed.fields === 'object';
    return valid ? (parsed as FieldReport) : undefined;
  } catch {
    return undefined;
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
