import { request } from 'node:http';

import { describe, expect, it } from 'vitest';

import { testStores } from './support/server.js';
import { useServer } from './support/suite.js';

/** Sends raw headers that fetch would refuse to send, and reads status and body. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const outgoing = request(url, { headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe.each(testStores)('input at the edges on %s', (store) => {
  const suite = useServer(store);

  it('refuses deeply nested JSON with 422, never a 500', async () => {
    const { api } = suite;
    const nested = '['.repeat(5000) + ']'.repeat(5000);
    const response = await api.call('POST', '/v1/runs', `{"task":"x","metadata":{"a":${nested}}}`);
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('answers oversized headers with the error envelope', async () => {
    const response = await rawGet(`${suite.server.url}/v1/runs`, {
      'x-api-key': 'k'.repeat(20_000),
    });
    expect(response.status).toBe(431);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false });
  });

  it('accepts an empty JSON body where the body is optional, and uppercase ids', async () => {
    const { api, agent } = suite;
    await api.topUp(100);
    const machineId = await api.machine();
    agent.on('wait for cancel', async () => ({ actions: [{ type: 'wait', ms: 200 }] }));
    const run = await api.post('/v1/runs', {
      machine_id: machineId.toUpperCase(),
      task: 'wait for cancel',
    });
    expect(run.status).toBe(200);
    expect((await api.get(`/v1/runs/${run.body.id.toUpperCase()}`)).body.id).toBe(run.body.id);

    const cancelled = await api.call('POST', `/v1/runs/${run.body.id}/cancel`, '', {
      'content-type': 'application/json',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('reads event cursors as plain digits only', async () => {
    const { api } = suite;
    const [run] = (await api.get('/v1/runs?limit=1')).body.data;
    for (const cursor of ['0x5', '1e3', '-1', '99999999999999999999']) {
      const byHeader = await api.get(`/v1/runs/${run.id}/events`, { 'last-event-id': cursor });
      expect(byHeader.status, cursor).toBe(422);
      const byQuery = await api.get(`/v1/runs/${run.id}/events?format=json&after=${cursor}`);
      expect(byQuery.status, cursor).toBe(422);
    }
  });

  it('refuses success_criteria on v3, which has no verifier', async () => {
    const { api } = suite;
    const machineId = await api.machine();
    const refused = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'check me',
      success_criteria: [{ type: 'text_visible', text: 'Welcome' }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.field).toBe('body.success_criteria');
  });

  it('pages machines and ledger entries with next_cursor and starting_after', async () => {
    const { api } = suite;
    await api.topUp(1);
    await api.topUp(2);
    await api.topUp(3);
    const first = await api.get('/v1/wallet/ledger?limit=2');
    expect(first.body.has_more).toBe(true);
    const second = await api.get(
      `/v1/wallet/ledger?limit=2&starting_after=${first.body.next_cursor}`,
    );
    const all = await api.get('/v1/wallet/ledger?limit=4');
    const paged = [...first.body.data, ...second.body.data].map((entry: any) => entry.id);
    expect(paged).toEqual(all.body.data.map((entry: any) => entry.id));

    const machines = await api.get('/v1/machines?limit=1');
    expect(machines.body.has_more).toBe(true);
    const next = await api.get(`/v1/machines?limit=1&starting_after=${machines.body.next_cursor}`);
    expect(next.body.data[0].id).not.toBe(machines.body.data[0].id);
  });
});
