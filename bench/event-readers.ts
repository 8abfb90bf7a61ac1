import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Api } from '../test/support/api.js';

/** An event as the API shows it, in an SSE frame or on a JSON page. */
export interface WireEvent {
  seq: number;
  type: string;
  created_at: string;
}

export interface ReaderHooks {
  /** Called once the reader follows the run: later events reach it as they are appended. */
  onOpen(): void;
  /** Called for each event with the wall-clock time (ms since the epoch) it arrived at. */
  onEvent(event: WireEvent, receivedAtMs: number): void;
}

/** Reads a run's events until its `done` event. */
export type EventReader = (api: Api, runId: string, hooks: ReaderHooks) => Promise<void>;

/** Follows `GET /v1/runs/{id}/events` as Server-Sent Events over one connection. */
export const readSse: EventReader = async (api, runId, hooks) => {
  const response = await fetch(`${api.url}/v1/runs/${runId}/events`, {
    headers: { 'x-api-key': api.key, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`SSE: HTTP ${response.status} ${await response.text()}`);
  }
  // The server subscribes to the run's wake-ups before its first byte goes out.
  hooks.onOpen();

  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    const receivedAtMs = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = parseFrame(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      if (event) {
        hooks.onEvent(event, receivedAtMs);
        if (event.type === 'done') {
          return;
        }
      }
    }
  }
  throw new Error('SSE: the stream ended before the done event');
};

/** The event of one SSE frame; undefined for comments (heartbeats) and `retry:`. */
function parseFrame(frame: string): WireEvent | undefined {
  const data = frame
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice('data:'.length).trimStart())
    .join('\n');
  return data ? (JSON.parse(data) as WireEvent) : undefined;
}

/**
 * Reads the JSON page `?format=json&after=N` on a fixed cadence of `intervalMs` (a poll that
 * takes longer than that is followed at once), until a page says `done`.
 */
export function pollJson(intervalMs: number): EventReader {
  return async (api, runId, hooks) => {
    const deadlineMs = Date.now() + 60_000;
    let after = 0;
    let nextPollMs = performance.now();
    for (let first = true; ; first = false) {
      const page = await api.get(`/v1/runs/${runId}/events?format=json&after=${after}&limit=1000`);
      const receivedAtMs = Date.now();
      if (page.status !== 200) {
        throw new Error(`poll: HTTP ${page.status} ${JSON.stringify(page.body)}`);
      }
      for (const event of page.body.data as WireEvent[]) {
        hooks.onEvent(event, receivedAtMs);
      }
      if (page.body.done) {
        return;
      }
      if (first) {
        hooks.onOpen();
      }
      if (receivedAtMs > deadlineMs) {
        throw new Error(`poll: run ${runId} did not end within 60 s`);
      }
      after = page.body.next_after as number;
      nextPollMs += intervalMs;
      await sleep(Math.max(0, nextPollMs - performance.now()));
    }
  };
}
