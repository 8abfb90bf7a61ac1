import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { randomIds, systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { createLogger } from '../log/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { WebhookDeliverer } from './deliverer.js';
import type { WebhookDelivererDeps } from './deliverer.js';
import { verifySignature } from './signature.js';
import {
  Receiver,
  attemptsOf,
  createRun,
  deliveryOf,
  finishRun,
  waitUntilDone,
} from './test-kit.js';
import type { Reply } from './test-kit.js';

/** The system time plus an offset the test moves forward. */
class ShiftedClock implements Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

let dataDir: string;
let store: Store;
let activeReceiver: Receiver | undefined;
const deliverers: WebhookDeliverer[] = [];
const logLines: string[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'deskhand-webhooks-'));
  store = await openStore({ dataDir, databaseSchema: 'public' });
  logLines.length = 0;
});

afterEach(async () => {
  await Promise.all(deliverers.splice(0).map((deliverer) => deliverer.stop()));
  await activeReceiver?.stop();
  activeReceiver = undefined;
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

function startDeliverer(overrides: Partial<WebhookDelivererDeps> = {}): WebhookDeliverer {
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const deliverer = new WebhookDeliverer({
    store,
    clock: systemClock,
    ids: randomIds,
    logger: createLogger({ level: 'debug', destination }),
    allowPrivate: true,
    maxAttempts: 5,
    backoffMs: 20,
    timeoutMs: 2_000,
    pollMs: 10,
    ...overrides,
  });
  deliverers.push(deliverer);
  deliverer.start();
  return deliverer;
}

async function startReceiver(...replies: Reply[]): Promise<{ receiver: Receiver; url: string }> {
  const receiver = new Receiver(replies);
  activeReceiver = receiver;
  return { receiver, url: await receiver.start() };
}

describe('WebhookDeliverer', () => {
  it('retries 500, 500, then delivers, signing the same body afresh each time', async () => {
    const clock = new ShiftedClock();
    const { receiver, url } = await startReceiver(
      { status: 500 },
      { status: 500 },
      { status: 200 },
    );
    // Each request moves the clock on, so every attempt must carry a later timestamp.
    receiver.onRequest = () => (clock.offsetMs += 5_000);
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer({ clock });
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
    expect(delivery.finished_at).not.toBeNull();
    const attempts = await attemptsOf(store, delivery.id);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);

    expect(receiver.received).toHaveLength(3);
    const timestamps = receiver.received.map((request, index) => {
      expect(request.headers['coasty-delivery-id']).toBe(delivery.id);
      expect(request.headers['coasty-event-type']).toBe('run.succeeded');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe('Deskhand-Webhooks/1');
      expect(request.headers['x-coasty-signature']).toBe(request.headers['coasty-signature']);
      expect(request.body).toBe(delivery.payload);

      const header = String(request.headers['coasty-signature']);
      const timestamp = Number(/t=(\d+)/.exec(header)?.[1]);
      expect(timestamp).toBe(attempts[index]?.signature_timestamp);
      expect(verifySignature(run.secret, header, request.body, { nowSeconds: timestamp })).toBe(
        true,
      );
      return timestamp;
    });
    expect(timestamps[1]! - timestamps[0]!).toBeGreaterThanOrEqual(4);
    expect(timestamps[2]! - timestamps[1]!).toBeGreaterThanOrEqual(4);
  });

  it('sends the payload queued with the status event', async () => {
    const { receiver, url } = await startReceiver({ status: 204 });
    const run = await createRun(store, url);
    const event = await finishRun(store, run.id, 'failed');

    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery.status).toBe('delivered');
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({
      id: delivery.id,
      type: 'run.failed',
      created_at: event.createdAt,
      data: { run_id: run.id, seq: event.seq, status: 'failed' },
    });
  });

  it('logs the delivery without its secret, payload or URL', async () => {
    const { url } = await startReceiver({ status: 503 }, { status: 200 });
    const run = await createRun(store, `${url}?token=hunter2`);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);

    const log = logLines.join('');
    expect(log).toContain('Webhook delivered');
    expect(log).toContain(delivery.id);
    expect(log).toContain(run.id);
    expect(log).not.toContain(run.secret);
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('"seq"');
  });

  it('waits as long as Retry-After says on a 429', async () => {
    const { receiver, url } = await startReceiver(
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 200 },
    );
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    const [first, second] = receiver.received;
    expect(second!.receivedAtMs - first!.receivedAtMs).toBeGreaterThanOrEqual(950);
  });

  it('fails at once on a 404', async () => {
    const { receiver, url } = await startReceiver({ status: 404 }, { status: 200 });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'cancelled');

    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 404' });
    expect(receiver.received).toHaveLength(1);
    expect(logLines.join('')).toContain('Webhook delivery failed');
  });

  it('fails at once on a redirect without following it', async () => {
    const { receiver, url } = await startReceiver({ status: 307, headers: { Location: '/x' } });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery.last_error).toMatch(/redirects are not followed/);
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses a loopback URL unless private addresses are allowed, sending nothing', async () => {
    const { receiver, url } = await startReceiver({ status: 200 });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer({ allowPrivate: false });
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery.last_error).toMatch(/127\.0\.0\.1 is not a public address/);
    const [attempt] = await attemptsOf(store, delivery.id);
    expect(attempt).toMatchObject({ status_code: null, error: delivery.last_error });
    expect(receiver.received).toHaveLength(0);
  });

  it('gives up after maxAttempts timeouts', async () => {
    const { receiver, url } = await startReceiver({ status: 200, hang: true });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'timed_out');

    startDeliverer({ maxAttempts: 2, timeoutMs: 150 });
    const delivery = await waitUntilDone(store, run.id);

    expect(delivery).toMatchObject({ status: 'failed', attempts: 2 });
    expect(delivery.last_error).toMatch(/did not answer within 150 ms.*after 2 attempts/);
    expect(receiver.received).toHaveLength(2);
  });

  it('aborts an attempt still running after the stop grace period and keeps it due', async () => {
    const { receiver, url } = await startReceiver({ status: 200, hang: true });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');
    const deliverer = startDeliverer({ stopGraceMs: 50 });
    await receiver.waitForRequests(1);

    await deliverer.stop();

    const delivery = await deliveryOf(store, run.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lease_until: null });
    const [attempt] = await attemptsOf(store, delivery!.id);
    expect(attempt?.error).toMatch(/server stopped/);
  });

  it('lets exactly one of two deliverers claim a delivery', async () => {
    const { receiver, url } = await startReceiver({ status: 200 });
    const run = await createRun(store, url);
    await finishRun(store, run.id, 'succeeded');

    startDeliverer();
    startDeliverer();
    const delivery = await waitUntilDone(store, run.id);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(delivery.attempts).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(await attemptsOf(store, delivery.id)).toHaveLength(1);
  });
});
