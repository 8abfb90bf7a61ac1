import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import type { Api, ApiResponse } from './support/api.js';
import type { Suite } from './support/suite.js';
import { useServer } from './support/suite.js';
import { testStores } from './support/server.js';

const task = 'finish at once';

function newKey(label: string): string {
  return `${label}-${randomUUID()}`;
}

function createRun(api: Api, body: Record<string, unknown>, key: string) {
  return api.post('/v1/runs', body, { 'idempotency-key': key });
}

/** The organization's runs on one machine. */
async function runsOn(api: Api, machineId: string): Promise<any[]> {
  const response = await api.get('/v1/runs?limit=200');
  expect(response.status).toBe(200);
  return response.body.data.filter((run: any) => run.machine_id === machineId);
}

/** Cancels a run so its machine is free for the next test. */
async function release(api: Api, runId: string): Promise<void> {
  expect((await api.post(`/v1/runs/${runId}/cancel`)).status).toBe(200);
  await api.waitForRun(runId);
}

function isReplay(response: ApiResponse): boolean {
  return response.headers.get('x-coasty-idempotent-replay') === 'true';
}

/**
 * Sends 20 identical creations with one key at once: one run is created, and every answer is
 * either that run or a retryable 409 telling the client to come back with the same key.
 */
async function burstOfCreations(suite: Suite, machineId: string) {
  const { api } = suite;
  const key = newKey('burst');
  const body = { machine_id: machineId, task };
  const responses = await Promise.all(Array.from({ length: 20 }, () => createRun(api, body, key)));

  const runs = await runsOn(api, machineId);
  expect(runs).toHaveLength(1);
  const runId = runs[0].id;
  for (const response of responses) {
    if (response.status === 200) {
      expect(response.body.id).toBe(runId);
    } else {
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({
        code: 'IDEMPOTENCY_IN_FLIGHT',
        type: 'state_error',
        retryable: true,
        retry_with_same_idempotency_key: true,
      });
    }
  }
  const originals = responses.filter((response) => response.status === 200 && !isReplay(response));
  expect(originals).toHaveLength(1);
  return { key, body, runId, responses };
}

describe.each(testStores)('idempotency on %s', (store) => {
  const suite = useServer(store);
  // Machines: [0] is shared by tests that leave it free, [1] is for the burst only.
  let machines: string[] = [];

  beforeAll(async () => {
    await suite.api.topUp(10_000);
    suite.agent.on(task, () => ({ actions: [], done: { success: true, summary: 'done' } }));
    machines = await Promise.all([1, 2].map(() => suite.api.machine()));
  });

  it('replays the first response to the same key and body, in any key order', async () => {
    const { api } = suite;
    const machineId = machines[0]!;
    const key = newKey('replay');
    const body = { machine_id: machineId, task, metadata: { a: 1, b: { c: 2, d: [1, 2] } } };
    const reordered = { metadata: { b: { d: [1, 2], c: 2 }, a: 1 }, task, machine_id: machineId };

    const first = await createRun(api, body, key);
    expect(first.status).toBe(200);
    expect(isReplay(first)).toBe(false);
    const again = await createRun(api, body, key);
    const shuffled = await createRun(api, reordered, key);

    for (const replay of [again, shuffled]) {
      expect(replay.status).toBe(200);
      expect(replay.headers.get('x-coasty-idempotent-replay')).toBe('true');
      expect(replay.headers.get('x-coasty-request-id')).toMatch(/^req_/);
      expect(replay.body).toEqual(first.body);
    }
    expect((await runsOn(api, machineId)).filter((run) => run.id === first.body.id)).toHaveLength(
      1,
    );
    await release(api, first.body.id);
    expect((await createRun(api, body, key)).body.id).toBe(first.body.id);
  });

  it('refuses a key reused with other body or operation: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const { api } = suite;
    const machineId = machines[0]!;
    const key = newKey('reused');
    const first = await createRun(api, { machine_id: machineId, task }, key);
    expect(first.status).toBe(200);
    await release(api, first.body.id);

    const otherBody = await createRun(api, { machine_id: machineId, task: 'another task' }, key);
    const otherOperation = await api.post(
      '/v1/machines',
      { display_name: 'same key' },
      { 'idempotency-key': key },
    );
    for (const refused of [otherBody, otherOperation]) {
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        type: 'validation_error',
        retryable: false,
        retry_with_same_idempotency_key: false,
      });
    }
    const runs = await runsOn(api, machineId);
    expect(runs.filter((run) => run.task === 'another task')).toEqual([]);
  });

  it('creates exactly one run for 20 concurrent requests with one key and one body', async () => {
    const { api } = suite;
    const { key, body, runId } = await burstOfCreations(suite, machines[1]!);

    const retried = await createRun(api, body, key);
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(runId);
    expect(isReplay(retried)).toBe(true);
    await release(api, runId);
  });

  it('refuses a malformed Idempotency-Key with 422 and creates nothing', async () => {
    const { api } = suite;
    const machineId = machines[0]!;
    const before = await runsOn(api, machineId);

    for (const key of ['has space', 'a'.repeat(129), 'semi;colon', 'slash/key']) {
      const refused = await createRun(api, { machine_id: machineId, task }, key);
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        type: 'validation_error',
        retry_with_same_idempotency_key: false,
      });
    }
    expect(await runsOn(api, machineId)).toHaveLength(before.length);

    const longest = await createRun(
      api,
      { machine_id: machineId, task },
      'A-z_0:9'.padEnd(128, 'k'),
    );
    expect(longest.status).toBe(200);
    await release(api, longest.body.id);
  });

  it('forgets a failed request: after a 402 and top-up the same key creates the run', async () => {
    const { api } = suite;
    const org = await api.post('/v1/organizations', { name: 'idempotency empty wallet' });
    const poor = api.withKey(org.body.api_key);
    const machineId = await poor.machine();
    const key = newKey('after-402');
    const body = { machine_id: machineId, task };

    const refused = await createRun(poor, body, key);
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('INSUFFICIENT_CREDITS');
    expect((await poor.get(`/v1/idempotency/${key}`)).status).toBe(404);

    const topUp = { amount_cents: 100, organization_id: org.body.id };
    expect((await api.post('/v1/wallet/top-ups', topUp)).status).toBe(200);
    const created = await createRun(poor, body, key);
    expect(created.status).toBe(200);
    expect(isReplay(created)).toBe(false);
    const replayed = await createRun(poor, body, key);
    expect(isReplay(replayed)).toBe(true);
    expect(replayed.body.id).toBe(created.body.id);
    await release(poor, created.body.id);
  });

  it('forgets a 422 or a 404: the same key then works with a corrected body', async () => {
    const { api } = suite;
    const key = newKey('after-404');

    const invalid = await createRun(api, { machine_id: machines[0]!, task: '' }, key);
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
    const missing = await createRun(api, { machine_id: randomUUID(), task }, key);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const created = await createRun(api, { machine_id: machines[0]!, task }, key);
    expect(created.status).toBe(200);
    expect(isReplay(created)).toBe(false);
    await release(api, created.body.id);
  });

  it('looks up a completed key with its original result and status', async () => {
    const { api } = suite;
    const key = newKey('lookup');
    const created = await createRun(api, { machine_id: machines[0]!, task }, key);
    expect(created.status).toBe(200);
    await release(api, created.body.id);

    const lookup = await api.get(`/v1/idempotency/${key}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({
      status: 'completed',
      result: created.body,
      original_status: 200,
      request_id: lookup.headers.get('x-coasty-request-id'),
    });
  });

  it('looks up a key of the longest allowed length, 128 characters', async () => {
    const { api } = suite;
    const key = newKey('longest').padEnd(128, 'k');
    const created = await createRun(api, { machine_id: machines[0]!, task }, key);
    expect(created.status).toBe(200);
    await release(api, created.body.id);

    const lookup = await api.get(`/v1/idempotency/${key}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ status: 'completed', original_status: 200 });
    expect(lookup.body.result.id).toBe(created.body.id);
  });

  it('answers an unknown key 404 and a key over 128 chars 422, in the error envelope', async () => {
    const { api } = suite;
    const unknown = await api.get(`/v1/idempotency/${newKey('never-used')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', type: 'not_found_error' });

    const tooLong = await api.get(`/v1/idempotency/${'k'.repeat(129)}`);
    expect(tooLong.status).toBe(422);
    expect(tooLong.headers.get('x-coasty-request-id')).toMatch(/^req_/);
    expect(tooLong.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      type: 'validation_error',
      request_id: tooLong.headers.get('x-coasty-request-id'),
    });
  });

  it('scopes keys per organization: another one uses the same key independently', async () => {
    const { api } = suite;
    const key = newKey('per-org');
    const mine = await createRun(api, { machine_id: machines[0]!, task }, key);
    expect(mine.status).toBe(200);
    await release(api, mine.body.id);

    const org = await api.post('/v1/organizations', {
      name: 'other key owner',
      initial_credits: 100,
    });
    const other = api.withKey(org.body.api_key);
    expect((await other.get(`/v1/idempotency/${key}`)).status).toBe(404);
    const withMyBody = await createRun(other, { machine_id: machines[0]!, task }, key);
    expect(withMyBody.status).toBe(404);
    expect(isReplay(withMyBody)).toBe(false);

    const otherMachine = await other.machine();
    const theirs = await createRun(other, { machine_id: otherMachine, task }, key);
    expect(theirs.status).toBe(200);
    expect(isReplay(theirs)).toBe(false);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await other.get(`/v1/idempotency/${key}`)).body.result.id).toBe(theirs.body.id);
    expect((await api.get(`/v1/idempotency/${key}`)).body.result.id).toBe(mine.body.id);
    await release(other, theirs.body.id);
  });
});

describe.each(testStores)(
  'idempotency on %s, when a retry does not wait for its original',
  (store) => {
    const suite = useServer(store, { DESKHAND_IDEMPOTENCY_WAIT_MS: '0' });
    let machineId = '';

    beforeAll(async () => {
      await suite.api.topUp(1_000);
      suite.agent.on(task, () => ({ actions: [], done: { success: true, summary: 'done' } }));
      machineId = await suite.api.machine();
    });

    it('answers concurrent requests with the run or 409; a retried 409 gets the run', async () => {
      const { api } = suite;
      const { key, body, runId, responses } = await burstOfCreations(suite, machineId);

      for (const response of responses.filter((response) => response.status === 409)) {
        expect(response.headers.get('retry-after')).toBe('1');
      }
      const retried = await createRun(api, body, key);
      expect(retried.status).toBe(200);
      expect(retried.body.id).toBe(runId);
      expect(isReplay(retried)).toBe(true);
      await release(api, runId);
    });
  },
);
