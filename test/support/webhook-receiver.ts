import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect } from 'vitest';

/** One request as the receiver got it: the raw body is what the signature covers. */
export interface Received {
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAtMs: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

export type Responder = (received: Received, index: number) => Answer | Promise<Answer>;

/** A webhook receiver on loopback that answers each request as the test says. */
export class Receiver {
  readonly received: Received[] = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly respond: Responder = () => ({ status: 200 })) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received = {
          headers: request.headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
          receivedAtMs: Date.now(),
        };
        const index = this.received.push(received) - 1;
        void Promise.resolve(this.respond(received, index)).then((answer) => {
          response.writeHead(answer.status, answer.headers ?? {});
          response.end();
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Waits until `count` requests have arrived. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} deliveries, got ${this.received.length}`);
      }
      await sleep(20);
    }
    return this.received;
  }

  /** Checks that no request beyond `count` arrives during `ms`. */
  async expectNoMoreThan(count: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      expect(this.received.length).toBe(count);
      await sleep(50);
    }
    expect(this.received.length).toBe(count);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
