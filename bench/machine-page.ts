import { createServer } from 'node:http';

import { sleep } from './machine-timing.js';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The page the machines' latencies are measured on, served on loopback: text on the left, a
 * textarea over the right half of the viewport, so a click at x ≥ 700 lands in it on either
 * kind of machine. The page reports its textarea's length back, so the bench can tell that
 * every typed character arrived.
 */
export class BenchPage {
  private readonly typedLengths = new Map<string, number>();
  private readonly visits = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<BenchPage> {
    let page: BenchPage | undefined;
    const server = createServer((request, response) => page?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    page = new BenchPage(server, `http://127.0.0.1:${port}`);
    return page;
  }

  /** The page's address for one machine; `label` keeps the machines' reports apart. */
  url(label: string): string {
    return `${this.origin}/page/${label}`;
  }

  /** Resolves once `label`'s page was fetched, or throws after `timeoutMs`. */
  async waitForVisit(label: string, timeoutMs: number): Promise<void> {
    await this.waitUntil(() => (this.visits.get(label) ?? 0) > 0, timeoutMs);
  }

  /** The textarea's length as last reported, after waiting up to `timeoutMs` for `expected`. */
  async typedLength(label: string, expected: number, timeoutMs: number): Promise<number> {
    await this.waitUntil(() => (this.typedLengths.get(label) ?? 0) >= expected, timeoutMs).catch(
      () => undefined,
    );
    return this.typedLengths.get(label) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() >= deadline) {
        throw new Error(`the bench page saw nothing within ${timeoutMs} ms`);
      }
      await sleep(20);
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const [, kind, label = ''] = (request.url ?? '').split('/');
    if (request.method === 'GET' && kind === 'page') {
      this.visits.set(label, (this.visits.get(label) ?? 0) + 1);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(pageHtml(label));
      return;
    }
    if (request.method === 'POST' && kind === 'typed') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const length = Number.parseInt(body, 10) || 0;
        this.typedLengths.set(label, Math.max(length, this.typedLengths.get(label) ?? 0));
        response.writeHead(204).end();
      });
      return;
    }
    response.writeHead(404).end();
  }
}

const PARAGRAPH =
  'A machine is a screen to look at and hands to act with. Each step the agent observes ' +
  'the screen, a model decides on an action, and the machine performs it. ';

function pageHtml(label: string): string {
  const paragraphs = Array.from({ length: 8 }, (_, index) => `<p>${index + 1}. ${PARAGRAPH}</p>`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Deskhand bench</title>
<style>
  body { margin: 0; font: 16px/1.5 'DejaVu Sans', sans-serif; color: #222; }
  article { width: 46%; padding: 16px 2%; }
  h1 { color: #1a4f8b; font-size: 24px; }
  textarea { position: fixed; left: 50%; top: 0; width: 50%; height: 100%; box-sizing: border-box;
    border: 2px solid #1a4f8b; font: 16px monospace; }
</style></head>
<body><article><h1>Deskhand machine bench</h1>${paragraphs.join('')}</article>
<textarea id="typed"></textarea>
<script>
  // One report after typing pauses, so reporting costs the measured keystrokes nothing.
  const typed = document.getElementById('typed');
  let timer;
  typed.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fetch('/typed/${label}', { method: 'POST', body: String(typed.value.length) });
    }, 200);
  });
</script></body></html>
`;
}
