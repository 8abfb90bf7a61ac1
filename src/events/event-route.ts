import type { FastifyReply, FastifyRequest } from 'fastify';

import { EventPage, SeqCursor } from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import type { RouteResult } from '../http/index.js';
import type { EventBus } from './event-bus.js';
import type { EventLog } from './event-log.js';
import { streamEvents } from './sse-stream.js';

export interface EventsAnswer {
  request: FastifyRequest;
  reply: FastifyReply;
  query: { after?: number; format?: 'sse' | 'json'; limit: number };
  requestId: string;
  log: EventLog;
  bus: EventBus;
  heartbeatMs: number;
  streamId: string;
  /** Whether the stream's owner has ended, so its log is complete up to `done`. */
  ended: boolean;
}

/**
 * A stream's events as the API answers them: SSE from `after` or `Last-Event-ID`, or one JSON
 * page with `?format=json` (or an Accept of JSON only). Runs and workflow runs share it.
 */
export async function answerEvents(options: EventsAnswer): Promise<RouteResult | 'streamed'> {
  const { request, reply, query, log, streamId } = options;
  const afterSeq = query.after ?? lastEventId(request.headers['last-event-id']);
  const wantsJson =
    query.format === 'json' ||
    (query.format === undefined && acceptsJsonOnly(request.headers.accept));
  if (!wantsJson && options.ended && (await log.list(streamId, afterSeq, 1)).length === 0) {
    // 204 tells an EventSource that reconnected after `done` to stop reconnecting.
    return { status: 204, body: undefined };
  }
  if (!wantsJson) {
    const { bus, heartbeatMs } = options;
    await streamEvents({ request, reply, log, bus, streamId, afterSeq, heartbeatMs });
    return 'streamed';
  }

  const events = await log.list(streamId, afterSeq, query.limit + 1);
  const page = events.slice(0, query.limit);
  const body = EventPage.parse({
    object: 'list',
    data: page.map((event) => ({
      seq: event.seq,
      type: event.type,
      data: event.data,
      created_at: event.createdAt,
    })),
    has_more: events.length > query.limit,
    next_after: page.at(-1)?.seq ?? afterSeq,
    // The final status commits with the `done` event, so an ended stream's log is complete.
    done: options.ended && events.length <= query.limit,
    request_id: options.requestId,
  });
  return { body };
}

function lastEventId(header: string | string[] | undefined): number {
  if (header === undefined) {
    return 0;
  }
  const parsed = SeqCursor.safeParse(Array.isArray(header) ? header[0] : header);
  if (!parsed.success) {
    throw new AppError('VALIDATION_ERROR', 'Last-Event-ID must be a non-negative integer.');
  }
  return parsed.data;
}

function acceptsJsonOnly(accept: string | undefined): boolean {
  return (
    accept !== undefined &&
    accept.includes('application/json') &&
    !accept.includes('text/event-stream')
  );
}
