import { z } from 'zod';

import { SeqCursor } from './common.js';

export const eventTypes = [
  'status',
  'text',
  'reasoning',
  'tool_call',
  'tool_result',
  'step',
  'billing',
  'awaiting_human',
  'resumed',
  'error',
  'done',
] as const;
export type EventType = (typeof eventTypes)[number];

/** One event of a run, as sent in an SSE frame's `data:` and in the JSON page. */
export const RunEvent = z.object({
  seq: z.number().int().min(1),
  type: z.enum(eventTypes),
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type RunEvent = z.infer<typeof RunEvent>;

export const EventsQuery = z.object({
  after: SeqCursor.optional(),
  /** `json` answers one page instead of a stream, for clients that poll. */
  format: z.enum(['sse', 'json']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const EventPage = z.object({
  object: z.literal('list'),
  data: z.array(RunEvent),
  has_more: z.boolean(),
  next_after: z.number().int(),
  done: z.boolean(),
  request_id: z.string(),
});
