import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startInProcess } from '../app/test-kit.js';
import type { InProcessApp } from '../app/test-kit.js';

describe('machine leases', () => {
  let inProcess: InProcessApp;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    inProcess = await startInProcess({ clock });
  });
  afterAll(() => inProcess.app.stop());

  const call = (method: string, path: string, body?: unknown) => inProcess.call(method, path, body);

  it('deletes a machine once its lease has run out, and keeps one without a lease', async () => {
    const leased = (await call('POST', '/v1/machines', { display_name: 'leased', ttl_minutes: 5 }))
      .body.machine;
    const kept = (await call('POST', '/v1/machines', { display_name: 'kept' })).body.machine;
    expect(leased.ttl_minutes).toBe(5);

    offsetMs = 6 * 60_000;
    let status = 200;
    for (let tries = 0; tries < 80 && status === 200; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await call('GET', `/v1/machines/${leased.id}`)).status;
    }

    expect(status).toBe(404);
    expect((await call('GET', `/v1/machines/${kept.id}`)).status).toBe(200);
  });
});
