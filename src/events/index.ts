export { EventLog, eventSchemaVersion } from './event-log.js';
export type { AppendHook, Emit, NewEvent, StoredEvent, Transaction } from './event-log.js';
export { EventBus } from './event-bus.js';
export { streamEvents, formatFrame } from './sse-stream.js';
export type { SseOptions } from './sse-stream.js';
export { answerEvents } from './event-route.js';
export type { EventsAnswer } from './event-route.js';
