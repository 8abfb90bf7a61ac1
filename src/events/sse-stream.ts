import type { FastifyReply, FastifyRequest } from 'fastify';

import type { EventBus } from './event-bus.js';
import type { EventLog, StoredEvent } from './event-log.js';

export interface SseOptions {
  request: FastifyRequest;
  reply: FastifyReply;
  log: EventLog;
  bus: EventBus;
  streamId: string;
  afterSeq: number;
  heartbeatMs: number;
  /**
   * How often the log is read without a wake-up, for writers in other processes.
   * LIMITATION: their events arrive up to this late; a LISTEN/NOTIFY wake-up would lift it.
   */
  pollMs?: number;
}

const pageSize = 500;

/** The SSE frame of one event: `id:` is its seq, `data:` the event as JSON. */
export function formatFrame(event: StoredEvent): string {
  const payload = {
    seq: event.seq,
    type: event.type,
    data: event.data,
    created_at: event.createdAt,
  };
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/**
 * Streams a stream's events after `afterSeq`, then follows it live until its `done` event or
 * until the client goes away. Every event comes from the log, in order, exactly once.
 */
export async function streamEvents(options: SseOptions): Promise<void> {
  const { reply, request } = options;
  reply.hijack();
  reply.raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'X-Coasty-Request-Id': request.id,
  });
  reply.raw.write('retry: 2000\n\n');

  const follower = new Follower(options);
  request.raw.on('close', () => follower.stop());
  try {
    await follower.run();
  } finally {
    follower.stop();
    reply.raw.end();
  }
}

class Follower {
  private cursor: number;
  private stopped = false;
  // Set by a wake-up that came while the log was being read, so it is not lost.
  private pending = false;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: SseOptions) {
    this.cursor = options.afterSeq;
    this.unsubscribe = options.bus.subscribe(options.streamId, () => {
      this.pending = true;
      this.wake?.();
    });
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      this.pending = false;
      const events = await this.options.log.list(this.options.streamId, this.cursor, pageSize);
      for (const event of events) {
        this.write(formatFrame(event));
        this.cursor = event.seq;
        if (event.type === 'done') {
          return;
        }
      }
      if (events.length < pageSize) {
        await this.waitForWake();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    this.wake?.();
  }

  private write(chunk: string): void {
    if (!this.stopped && !this.options.reply.raw.destroyed) {
      this.options.reply.raw.write(chunk);
    }
  }

  private waitForWake(): Promise<void> {
    if (this.pending) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs ?? 1000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
