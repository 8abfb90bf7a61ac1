import { describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import { Api } from './support/api.js';
import type { ApiResponse } from './support/api.js';
import { eventsOf, useServer } from './support/suite.js';
import { testStores } from './support/server.js';

function expectError(response: ApiResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.error).toMatchObject({
    code,
    request_id: response.headers.get('x-coasty-request-id'),
  });
}

describe.each(testStores)('API keys and organizations on %s', (store) => {
  const suite = useServer(store);

  /** A new organization with some credits, and its first key's client. */
  async function organization(name: string, initialCredits = 0) {
    const created = await suite.api.post('/v1/organizations', {
      name,
      initial_credits: initialCredits,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return { id: created.body.id as string, api: suite.api.withKey(created.body.api_key) };
  }

  async function createKey(api: Api, name: string, scopes?: string[]) {
    const created = await api.post('/v1/keys', scopes ? { name, scopes } : { name });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return { id: created.body.key_id as string, api: api.withKey(created.body.key) };
  }

  async function keyIdsOf(api: Api): Promise<string[]> {
    const listed = await api.get('/v1/keys');
    expect(listed.status).toBe(200);
    return listed.body.keys.map((key: { key_id: string }) => key.key_id);
  }

  it('accepts the admin key in X-API-Key and in Authorization: Bearer', async () => {
    const { server } = suite;
    const viaHeader = await new Api(server.url, server.adminKey).get('/v1/keys');
    expect(viaHeader.status).toBe(200);

    const anonymous = new Api(server.url, '');
    const viaBearer = await anonymous.get('/v1/keys', {
      authorization: `Bearer ${server.adminKey}`,
    });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.keys).toEqual(viaHeader.body.keys);

    expectError(await anonymous.get('/v1/keys'), 401, 'INVALID_API_KEY');
    const wrongBearer = await anonymous.get('/v1/keys', {
      authorization: 'Bearer sk-coasty-live-0',
    });
    expectError(wrongBearer, 401, 'INVALID_API_KEY');
  });

  it('returns a new key once and lists it by its prefix only', async () => {
    const { api } = suite;
    const created = await api.post('/v1/keys', {
      name: 'reporting',
      scopes: ['runs:read', 'machines:read'],
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: 'reporting',
      scopes: ['runs:read', 'machines:read'],
    });
    const rawKey = created.body.key as string;
    expect(rawKey).toMatch(/^sk-coasty-live-[0-9a-f]{16,}$/);

    const listed = await api.get('/v1/keys');
    const item = listed.body.keys.find(
      (key: { key_id: string }) => key.key_id === created.body.key_id,
    );
    expect(item).toMatchObject({ name: 'reporting', scopes: ['runs:read', 'machines:read'] });
    expect(item.key_prefix).toHaveLength(16);
    expect(rawKey).toContain(item.key_prefix);
    expect(item).not.toHaveProperty('key');
    expect(JSON.stringify(listed.body)).not.toContain(rawKey);

    const reader = api.withKey(rawKey);
    expect((await reader.get('/v1/runs')).status).toBe(200);
    expect((await reader.get('/v1/machines')).status).toBe(200);
  });

  it('refuses a run to a key without runs:write with 403 and changes nothing', async () => {
    const { api } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    const reader = (await createKey(api, 'runs reader', ['runs:read', 'wallet:read'])).api;
    const runsBefore = (await api.get('/v1/runs?limit=200')).body.data.length;
    const balanceBefore = (await api.get('/v1/wallet')).body.balance_credits;

    const refused = await reader.post('/v1/runs', { machine_id: machineId, task: 'not allowed' });
    expectError(refused, 403, 'INSUFFICIENT_SCOPE');
    expect(refused.body.error.type).toBe('auth_error');

    expect((await api.get('/v1/runs?limit=200')).body.data).toHaveLength(runsBefore);
    expect((await api.get('/v1/wallet')).body.balance_credits).toBe(balanceBefore);
    expect((await reader.get('/v1/runs?limit=200')).body.data).toHaveLength(runsBefore);
  });

  it('refuses to let a key grant scopes it does not hold', async () => {
    const { api } = suite;
    const keyMaker = (await createKey(api, 'key maker', ['keys', 'runs:read'])).api;
    const keysBefore = await keyIdsOf(api);

    const wider = await keyMaker.post('/v1/keys', { name: 'wider', scopes: ['runs:write'] });
    expectError(wider, 403, 'INSUFFICIENT_SCOPE');
    const defaults = await keyMaker.post('/v1/keys', { name: 'defaults' });
    expectError(defaults, 403, 'INSUFFICIENT_SCOPE');
    const admin = await keyMaker.post('/v1/keys', { name: 'admin', scopes: ['admin'] });
    expectError(admin, 403, 'INSUFFICIENT_SCOPE');
    expect(await keyIdsOf(api)).toEqual(keysBefore);

    const narrower = await keyMaker.post('/v1/keys', { name: 'narrower', scopes: ['runs:read'] });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scopes).toEqual(['runs:read']);
  });

  it('shuts a revoked key out with 401 and drops it from the list', async () => {
    const { api } = suite;
    const revokedKey = await createKey(api, 'to revoke', ['runs:read']);
    expect((await revokedKey.api.get('/v1/runs')).status).toBe(200);

    const revoked = await api.call('DELETE', `/v1/keys/${revokedKey.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'ok', key_id: revokedKey.id });

    expectError(await revokedKey.api.get('/v1/runs'), 401, 'INVALID_API_KEY');
    const asBearer = await revokedKey.api
      .withKey('')
      .get('/v1/runs', { authorization: `Bearer ${revokedKey.api.key}` });
    expectError(asBearer, 401, 'INVALID_API_KEY');
    expect(await keyIdsOf(api)).not.toContain(revokedKey.id);

    expectError(await api.call('DELETE', `/v1/keys/${revokedKey.id}`), 404, 'NOT_FOUND');
  });

  it('answers 404 for revoking an unknown key and 409 for a key revoking itself', async () => {
    const { api } = suite;
    expectError(await api.call('DELETE', '/v1/keys/key_unknown123'), 404, 'NOT_FOUND');

    const keyKeeper = await createKey(api, 'key keeper', ['keys']);
    const itself = await keyKeeper.api.call('DELETE', `/v1/keys/${keyKeeper.id}`);
    expectError(itself, 409, 'INVALID_STATE');
    expect((await keyKeeper.api.get('/v1/keys')).status).toBe(200);
  });

  it('creates organizations for the admin only, each with its first key and credits', async () => {
    const { api } = suite;
    const created = await api.post('/v1/organizations', { name: 'acme', initial_credits: 250 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'organization',
      name: 'acme',
      balance_credits: 250,
    });
    expect(created.body.api_key).toMatch(/^sk-coasty-live-/);

    const acme = api.withKey(created.body.api_key);
    const wallet = await acme.get('/v1/wallet');
    expect(wallet.body).toMatchObject({ organization_id: created.body.id, balance_credits: 250 });
    expect(wallet.headers.get('x-credits-remaining')).toBe('250');

    const nested = await acme.post('/v1/organizations', { name: 'nested', initial_credits: 10 });
    expectError(nested, 403, 'INSUFFICIENT_SCOPE');
    const selfFunded = await acme.post('/v1/wallet/top-ups', { amount_cents: 1000 });
    expectError(selfFunded, 403, 'INSUFFICIENT_SCOPE');
    const otherFunded = await acme.post('/v1/wallet/top-ups', {
      amount_cents: 1000,
      organization_id: created.body.id,
    });
    expectError(otherFunded, 403, 'INSUFFICIENT_SCOPE');
    expect((await acme.get('/v1/wallet')).body.balance_credits).toBe(250);
  });

  it('shows the balance after a top-up, with X-Credits-Remaining', async () => {
    const { api } = suite;
    const org = await organization('top-up target', 5);

    const topUp = await api.post('/v1/wallet/top-ups', {
      amount_cents: 120,
      organization_id: org.id,
    });
    expect(topUp.status).toBe(200);
    expect(topUp.body).toMatchObject({
      object: 'wallet.top_up',
      organization_id: org.id,
      amount_cents: 120,
      balance_credits: 125,
    });
    expect(topUp.headers.get('x-credits-remaining')).toBe('125');

    const wallet = await org.api.get('/v1/wallet');
    expect(wallet.status).toBe(200);
    expect(wallet.body).toMatchObject({ balance_credits: 125, balance_cents: 125 });
    expect(wallet.headers.get('x-credits-remaining')).toBe('125');
    const ledger = await org.api.get('/v1/wallet/ledger');
    expect(ledger.body.data.map((entry: { kind: string }) => entry.kind)).toEqual([
      'top_up',
      'top_up',
    ]);

    const unknownOrg = await api.post('/v1/wallet/top-ups', {
      amount_cents: 1,
      organization_id: 'org_doesnotexist',
    });
    expectError(unknownOrg, 404, 'NOT_FOUND');
  });

  it('hides machines, runs, events, keys and ledger of one organization from another', async () => {
    const { agent } = suite;
    const owner = await organization('owner', 500);
    const other = await organization('other', 500);
    const provisioned = await owner.api.post(
      '/v1/machines',
      { display_name: 'owned' },
      { 'Idempotency-Key': 'owner-machine' },
    );
    const machineId = provisioned.body.machine.id as string;
    const hold = gate();
    agent.on('isolated run', async ({ step }) => {
      if (step === 1) {
        return { actions: [{ type: 'wait', ms: 1 }] };
      }
      await hold.promise;
      return { actions: [], done: { success: true, summary: 'done' } };
    });
    const run = await owner.api.post('/v1/runs', { machine_id: machineId, task: 'isolated run' });
    expect(run.status).toBe(200);
    const runId = run.body.id as string;
    await owner.api.waitForRun(runId, (current) => current.steps_completed >= 1);
    const ownerKey = await createKey(owner.api, 'owner extra', ['runs:read']);

    for (const path of [
      `/v1/machines/${machineId}`,
      `/v1/runs/${runId}`,
      `/v1/runs/${runId}/events?format=json`,
    ]) {
      expectError(await other.api.get(path), 404, 'NOT_FOUND');
    }
    expectError(await other.api.post(`/v1/runs/${runId}/cancel`), 404, 'NOT_FOUND');
    expectError(await other.api.post(`/v1/runs/${runId}/resume`), 404, 'NOT_FOUND');
    expectError(await other.api.call('DELETE', `/v1/machines/${machineId}`), 404, 'NOT_FOUND');
    expectError(await other.api.call('DELETE', `/v1/keys/${ownerKey.id}`), 404, 'NOT_FOUND');
    expectError(await other.api.get('/v1/idempotency/owner-machine'), 404, 'NOT_FOUND');
    const foreignMachine = await other.api.post('/v1/runs', { machine_id: machineId, task: 'x' });
    expectError(foreignMachine, 404, 'NOT_FOUND');

    expect((await other.api.get('/v1/machines')).body.data).toEqual([]);
    expect((await other.api.get('/v1/runs')).body.data).toEqual([]);
    expect(await keyIdsOf(other.api)).not.toContain(ownerKey.id);
    const otherLedger = await other.api.get('/v1/wallet/ledger');
    expect(otherLedger.body.data.map((entry: { kind: string }) => entry.kind)).toEqual(['top_up']);
    expect((await other.api.get(`/v1/wallet/ledger?run_id=${runId}`)).body.data).toEqual([]);
    expect((await other.api.get('/v1/wallet')).body.balance_credits).toBe(500);

    hold.open();
    const finished = await owner.api.waitForRun(runId);
    expect(finished.status).toBe('succeeded');
    expect((await eventsOf(owner.api, runId)).at(-1).type).toBe('done');
    const ownerLedger = await owner.api.get(`/v1/wallet/ledger?run_id=${runId}`);
    expect(ownerLedger.body.data.length).toBeGreaterThan(0);
    expect((await owner.api.get('/v1/machines')).body.data).toHaveLength(1);
    expect((await other.api.get(`/v1/runs/${runId}`)).status).toBe(404);
  });
});
