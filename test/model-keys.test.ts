import { describe, expect, it } from 'vitest';

import { fixture } from './support/provider-server.js';
import { machineOnPage, useProviderServer } from './support/provider-suite.js';
import { testStores } from './support/server.js';
import { dataDirText, storedRows } from './support/stored-text.js';
import { eventsOf } from './support/suite.js';

const ownKey = 'sk-ant-api03-callers-own-key-must-stay-secret-7f3a';

describe.each(testStores)('a run on the caller’s own provider key on %s', (store) => {
  const suite = useProviderServer(store, (url) => ({
    ANTHROPIC_BASE_URL: url,
    DESKHAND_LOG_LEVEL: 'debug',
  }));

  it('uses the key sealed at rest, never shows it, and forgets it when the run ends', async () => {
    const { api, provider, server } = suite;
    const machineId = await machineOnPage(suite);
    provider.queue(fixture('anthropic/refusal.json'), fixture('anthropic/finished.json'));
    const headers = {
      'X-LLM-Provider': 'anthropic',
      'X-LLM-Api-Key': ownKey,
      'X-LLM-Model': 'claude-sonnet-4-5-20250929',
      'Idempotency-Key': 'own-key-run',
    };
    const body = { machine_id: machineId, task: 'ask first' };
    const created = await api.post('/v1/runs', body, headers);
    expect(created.status).toBe(200);
    expect(created.body.llm).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      key_fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
    });
    const replay = await api.post('/v1/runs', body, headers);
    expect(replay.headers.get('x-coasty-idempotent-replay')).toBe('true');

    const paused = await api.waitForRun(created.body.id, (run) => run.status === 'awaiting_human');
    expect(paused.awaiting_human_reason).toBe('Which account should I sign in with?');
    const [kept] = await storedRows(server, store, 'run_credentials');
    expect(kept).toMatchObject({ run_id: created.body.id, provider: 'anthropic' });
    expect(String(kept!.sealed_key)).toMatch(/^v1:/);

    await api.post(`/v1/runs/${created.body.id}/resume`, { note: 'the test account' });
    const run = await api.waitForRun(created.body.id);
    expect(run.status).toBe('succeeded');
    expect(await storedRows(server, store, 'run_credentials')).toEqual([]);

    const [first, second] = provider.requests.slice(-2);
    expect(first!.headers['x-api-key']).toBe(ownKey);
    expect(first!.headers['anthropic-beta']).toBe('computer-use-2025-01-24');
    expect(first!.body.tools[0]).toEqual({
      type: 'computer_20250124',
      name: 'computer',
      display_width_px: 1280,
      display_height_px: 800,
    });
    expect(second!.headers['x-api-key']).toBe(ownKey);
    expect(JSON.stringify(second!.body.messages.at(-1))).toContain('the test account');

    const shown = [created.body, replay.body, run, await eventsOf(api, run.id)];
    expect(JSON.stringify(shown)).not.toContain(ownKey);
    expect(server.output).not.toContain(ownKey);
    for (const table of ['runs', 'events', 'idempotency_keys', 'run_steps']) {
      expect(JSON.stringify(await storedRows(server, store, table))).not.toContain(ownKey);
    }
    if (store === 'sqlite') {
      expect(dataDirText(server.dataDir)).not.toContain(ownKey);
    }
  });

  it('refuses a provider with no key and a key with no provider, changing nothing', async () => {
    const { api } = suite;
    const machineId = await machineOnPage(suite);
    const body = { machine_id: machineId, task: 'x', llm: { provider: 'openai' } };
    const noKey = await api.post('/v1/runs', body);
    expect(noKey.status).toBe(422);
    expect(noKey.body.error.code).toBe('LLM_KEY_NOT_CONFIGURED');

    const noProvider = await api.post(
      '/v1/runs',
      { machine_id: machineId, task: 'x' },
      {
        'X-LLM-Api-Key': ownKey,
      },
    );
    expect(noProvider.status).toBe(422);
    expect(noProvider.body.error.code).toBe('LLM_PROVIDER_UNSUPPORTED');
    expect(JSON.stringify(noProvider.body)).not.toContain(ownKey);

    const shortKey = await api.post(
      '/v1/runs',
      { machine_id: machineId, task: 'x' },
      {
        'X-LLM-Provider': 'anthropic',
        'X-LLM-Api-Key': 'sk-short',
      },
    );
    expect(shortKey.status).toBe(422);
    expect(shortKey.body.error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(shortKey.body)).not.toContain('sk-short');

    const list = await api.get('/v1/runs?limit=200');
    expect(list.body.data.filter((run: any) => run.task === 'x')).toEqual([]);
  });
});
