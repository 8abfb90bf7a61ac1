import type { Api } from './api.js';

/** One SSE frame as the client saw it: `id:`, `event:` and the parsed `data:`. */
export interface SseFrame {
  id: string | undefined;
  event: string | undefined;
  data: any;
}

/**
 * A minimal Server-Sent Events client over `fetch`: it records every frame and comment as it
 * arrives, so a test can wait for a condition on what was received so far.
 */
export class SseReader {
  readonly frames: SseFrame[] = [];
  readonly comments: string[] = [];
  /** True once the server ended the stream (not when the test aborted it). */
  endedByServer = false;
  /** Why the stream broke, if the connection failed instead of ending. */
  error: unknown;
  private closed = false;
  private buffer = '';
  private listeners: Array<() => void> = [];
  private reading: Promise<void> = Promise.resolve();

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: any,
    private readonly controller: AbortController,
  ) {}

  static async open(api: Api, path: string, headers: Record<string, string> = {}) {
    const controller = new AbortController();
    const response = await fetch(api.url + path, {
      headers: { 'x-api-key': api.key, accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    const isStream = response.headers.get('content-type')?.startsWith('text/event-stream');
    if (!isStream || !response.body) {
      const text = await response.text();
      const reader = new SseReader(response.status, response.headers, parseJson(text), controller);
      reader.closed = true;
      return reader;
    }
    const reader = new SseReader(response.status, response.headers, null, controller);
    reader.reading = reader.read(response.body);
    return reader;
  }

  get ids(): number[] {
    return this.frames.map((frame) => Number(frame.id));
  }

  get heartbeats(): number {
    return this.comments.filter((comment) => comment === 'heartbeat').length;
  }

  /** Waits until `condition` holds for what was received, failing on timeout or stream end. */
  async until(condition: (reader: this) => boolean, what: string, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this)) {
      if (this.closed) {
        throw new Error(`the stream ended before ${what}; ids: ${this.ids.join(',')}`);
      }
      if (Date.now() >= deadline) {
        throw new Error(`no ${what} within ${timeoutMs} ms; ids: ${this.ids.join(',')}`);
      }
      await this.nextChange(deadline - Date.now());
    }
  }

  /** Waits for the server to end the stream. */
  async ended(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() >= deadline) {
        throw new Error(`the stream was still open after ${timeoutMs} ms`);
      }
      await this.nextChange(deadline - Date.now());
    }
    await this.reading;
  }

  /** Drops the connection, as a client that goes away does. */
  async abort(): Promise<void> {
    this.controller.abort();
    await this.reading;
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const listeners = this.listeners;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      listeners.push(done);
    });
  }

  private changed(): void {
    const listeners = this.listeners;
    this.listeners = [];
    listeners.forEach((listener) => listener());
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        this.parseBlocks();
        this.changed();
      }
      this.endedByServer = true;
    } catch (error) {
      // An abort by the test is not an error; anything else (a reset) is kept for assertions.
      if (!this.controller.signal.aborted) {
        this.error = error;
      }
    } finally {
      this.closed = true;
      this.changed();
    }
  }

  private parseBlocks(): void {
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.parseBlock(block);
    }
  }

  private parseBlock(block: string): void {
    let id: string | undefined;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') {
        id = value;
      } else if (field === 'event') {
        event = value;
      } else if (field === 'data') {
        data.push(value);
      }
    }
    if (id !== undefined || event !== undefined || data.length > 0) {
      this.frames.push({ id, event, data: parseJson(data.join('\n')) });
    }
  }
}

function parseJson(text: string): any {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
