import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../app/index.js';
import type { App } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';

describe('machine leases', () => {
  let app: App;
  let url = '';
  let key = '';
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    const config = loadConfig({}, { port: 0, dataDir: mkdtempSync(join(tmpdir(), 'dh-lease-')) });
    app = await createApp({ config, clock, logger: createLogger({ level: 'silent' }) });
    url = await app.start();
    key = app.bootstrap.createdAdminKey ?? '';
  });
  afterAll(() => app.stop());

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(url + path, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

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
