import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One recorded provider answer: its status, headers and JSON body, as on the wire. */
export interface RecordedReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A request the fake provider received. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

const fixturesDir = join(import.meta.dirname, '..', 'fixtures');

/** Reads a recorded exchange from test/fixtures (e.g. `anthropic/click.json`). */
export function fixture(name: string): RecordedReply {
  return JSON.parse(readFileSync(join(fixturesDir, name), 'utf8')) as RecordedReply;
}

/**
 * A model provider on loopback that replays recorded answers in order and keeps every
 * request, and a test page that reports clicks and typed text back to the test.
 */
export class ProviderServer {
  readonly requests: ReceivedRequest[] = [];
  readonly reports: string[] = [];
  private replies: RecordedReply[] = [];
  private server: Server | undefined;
  url = '';

  /** Answers the next requests with these replies, in order. */
  queue(...replies: RecordedReply[]): void {
    this.replies.push(...replies);
  }

  get pageUrl(): string {
    return `${this.url}/page`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        if (request.method === 'GET') {
          this.servePage(url, response);
          return;
        }
        this.requests.push({ path: url.pathname, headers: request.headers, body: JSON.parse(raw) });
        const reply = this.replies.shift() ?? { status: 500, body: { error: 'no reply queued' } };
        response.writeHead(reply.status ?? 200, {
          'content-type': 'application/json',
          ...reply.headers,
        });
        response.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async until(report: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.reports.includes(report) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!this.reports.includes(report)) {
      throw new Error(`no '${report}' among ${JSON.stringify(this.reports)}`);
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private servePage(url: URL, response: import('node:http').ServerResponse): void {
    if (url.pathname === '/report') {
      this.reports.push(url.searchParams.get('v') ?? '');
      response.end('ok');
      return;
    }
    response.setHeader('content-type', 'text/html');
    response.end(`<body style="margin:0">
      <script>const report = (v) => fetch('/report?v=' + encodeURIComponent(v));</script>
      <button style="position:absolute;left:0;top:0;width:200px;height:50px"
        onclick="report('clicked')">B</button>
      <form style="position:absolute;left:0;top:100px" onsubmit="report('submit:' +
        document.getElementById('t').value); return false">
        <input id="t" style="width:400px;height:40px"></form></body>`);
  }
}
