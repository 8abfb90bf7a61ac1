import { beforeAll, describe, expect, it } from 'vitest';

import type { Api, ApiResponse } from './support/api.js';
import { useServer } from './support/suite.js';
import { testStores } from './support/server.js';

const unknownUuid = '00000000-0000-4000-8000-000000000000';
const oneMebibyte = 1024 * 1024;

/**
 * Holds a refusal to the API's error envelope: the expected status (never a 500), every field
 * of the envelope with its type, and the response's request id in the body. Soft, so that one
 * test reports every request that was answered wrongly.
 */
function expectRefusal(response: ApiResponse, status: number, code?: string): any {
  const label = `${status} ${code ?? ''}: ${JSON.stringify(response.body)}`;
  expect.soft(response.status, label).toBe(status);
  expect.soft(response.headers.get('content-type'), label).toMatch(/^application\/json/);
  const error = response.body?.error ?? {};
  expect.soft(error, label).toEqual(
    expect.objectContaining({
      code: expect.any(String),
      message: expect.any(String),
      type: expect.any(String),
      request_id: expect.stringMatching(/^req_/),
      retryable: expect.any(Boolean),
      retry_with_same_idempotency_key: expect.any(Boolean),
    }),
  );
  expect.soft(error.request_id, label).toBe(response.headers.get('x-coasty-request-id'));
  if (code) {
    expect.soft(error.code, label).toBe(code);
  }
  return error;
}

/** The fields named by a 422's `error.details.issues`. */
function fieldsOf(error: any): string[] {
  return (error.details?.issues ?? []).map((issue: { field: string }) => issue.field);
}

describe.each(testStores)('bad input on %s', (store) => {
  const suite = useServer(store);
  let machineId = '';

  /** What a refused request must leave as it was. */
  async function snapshot(api: Api) {
    const [runs, machines, keys, wallet, ledger] = await Promise.all([
      api.get('/v1/runs?limit=200'),
      api.get('/v1/machines?limit=200'),
      api.get('/v1/keys'),
      api.get('/v1/wallet'),
      api.get('/v1/wallet/ledger?limit=200'),
    ]);
    return {
      runs: runs.body.data.map((run: { id: string; status: string }) => run.id),
      machines: machines.body.data.map((machine: { id: string }) => machine.id),
      keys: keys.body.keys.map((key: { key_id: string }) => key.key_id),
      balance: wallet.body.balance_credits,
      ledger: ledger.body.data.map((entry: { id: string }) => entry.id),
    };
  }

  /** Sends each request, expects each refused as described, and then nothing changed. */
  async function expectAllRefused(
    cases: Array<{ send: () => Promise<ApiResponse>; status: number; code?: string }>,
  ): Promise<any[]> {
    const { api } = suite;
    const before = await snapshot(api);
    const errors = [];
    for (const { send, status, code } of cases) {
      errors.push(expectRefusal(await send(), status, code));
    }
    expect(await snapshot(api)).toEqual(before);
    return errors;
  }

  beforeAll(async () => {
    await suite.api.topUp(1000);
    machineId = await suite.api.machine();
  });

  const creatingPosts = () => [
    { path: '/v1/runs', valid: { machine_id: machineId, task: 'bad input' } },
    { path: '/v1/machines', valid: { display_name: 'bad input' } },
    { path: '/v1/keys', valid: { name: 'bad input' } },
    { path: '/v1/wallet/top-ups', valid: { amount_cents: 10 } },
  ];

  it('answers malformed JSON with 400 INVALID_JSON on every creating POST', async () => {
    const { api } = suite;
    await expectAllRefused(
      creatingPosts().flatMap(({ path }) =>
        ['{"task": ', '{bad json}'].map((body) => ({
          send: () => api.call('POST', path, body, { 'content-type': 'application/json' }),
          status: 400,
          code: 'INVALID_JSON',
        })),
      ),
    );
  });

  it('treats an empty JSON body as no body: required ones get 422', async () => {
    const { api } = suite;
    await expectAllRefused(
      creatingPosts().map(({ path }) => ({
        send: () => api.call('POST', path, '', { 'content-type': 'application/json' }),
        status: 422,
        code: 'VALIDATION_ERROR',
      })),
    );
  });

  it('answers a body that is not application/json with 415', async () => {
    const { api } = suite;
    await expectAllRefused(
      creatingPosts().flatMap(({ path, valid }) => [
        {
          send: () =>
            api.call('POST', path, JSON.stringify(valid), { 'content-type': 'text/plain' }),
          status: 415,
        },
        {
          send: () =>
            api.call('POST', path, 'display_name=x', {
              'content-type': 'application/x-www-form-urlencoded',
            }),
          status: 415,
        },
      ]),
    );
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const { api } = suite;
    const padding = 'x'.repeat(oneMebibyte + 1);
    await expectAllRefused(
      creatingPosts().map(({ path, valid }) => ({
        send: () => api.post(path, { ...valid, padding }),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      })),
    );
  });

  it('names an unknown field in error.details.issues with 422 VALIDATION_ERROR', async () => {
    const { api } = suite;
    const posts = creatingPosts();
    const errors = await expectAllRefused(
      posts.map(({ path, valid }) => ({
        send: () => api.post(path, { ...valid, surprise_field: true }),
        status: 422,
        code: 'VALIDATION_ERROR',
      })),
    );
    for (const [index, error] of errors.entries()) {
      expect.soft(fieldsOf(error), posts[index]!.path).toContain('body.surprise_field');
    }
  });

  it('refuses wrong types and out-of-range values with 422 naming the field', async () => {
    const { api } = suite;
    const cases: Array<[string, unknown, string]> = [
      ['/v1/runs', { machine_id: machineId, task: 42 }, 'body.task'],
      ['/v1/runs', { machine_id: machineId }, 'body.task'],
      ['/v1/runs', { machine_id: machineId, task: 't', max_steps: 'ten' }, 'body.max_steps'],
      ['/v1/runs', { machine_id: machineId, task: 't', max_steps: 0 }, 'body.max_steps'],
      ['/v1/runs', { machine_id: machineId, task: 't', max_steps: 1001 }, 'body.max_steps'],
      ['/v1/runs', { machine_id: machineId, task: 't', max_steps: 2.5 }, 'body.max_steps'],
      ['/v1/runs', { machine_id: machineId, task: 't', metadata: 'x' }, 'body.metadata'],
      [
        '/v1/runs',
        { machine_id: machineId, task: 't', on_awaiting_human: 'x' },
        'body.on_awaiting_human',
      ],
      ['/v1/runs', [machineId], 'body'],
      ['/v1/machines', { display_name: 7 }, 'body.display_name'],
      ['/v1/machines', { display_name: 'm', ttl_minutes: 1 }, 'body.ttl_minutes'],
      ['/v1/keys', { name: 42 }, 'body.name'],
      ['/v1/keys', { name: '   ' }, 'body.name'],
      ['/v1/keys', { name: 'k', scopes: ['superuser'] }, 'body.scopes.0'],
      ['/v1/wallet/top-ups', { amount_cents: '100' }, 'body.amount_cents'],
      ['/v1/wallet/top-ups', { amount_cents: 0 }, 'body.amount_cents'],
      ['/v1/wallet/top-ups', { amount_cents: -5 }, 'body.amount_cents'],
    ];
    const errors = await expectAllRefused(
      cases.map(([path, body]) => ({
        send: () => api.post(path, body),
        status: 422,
        code: 'VALIDATION_ERROR',
      })),
    );
    for (const [index, error] of errors.entries()) {
      const [path, body, field] = cases[index]!;
      expect.soft(fieldsOf(error), `${path} ${JSON.stringify(body)}`).toContain(field);
    }
  });

  it('refuses cua_version v9 with 422 and the supported versions', async () => {
    const { api } = suite;
    const [error] = await expectAllRefused([
      {
        send: () => api.post('/v1/runs', { machine_id: machineId, task: 't', cua_version: 'v9' }),
        status: 422,
      },
    ]);
    expect(error.details.supported).toEqual(expect.arrayContaining(['v3']));
    expect(error.details.supported).not.toContain('v9');
    expect(error.message).toContain('v3');
  });

  it('refuses an os_type windows machine with 422', async () => {
    const { api } = suite;
    const [error] = await expectAllRefused([
      {
        send: () => api.post('/v1/machines', { display_name: 'win', os_type: 'windows' }),
        status: 422,
        code: 'VALIDATION_ERROR',
      },
      {
        send: () => api.post('/v1/machines', { display_name: 'mac', os_type: 'macos' }),
        status: 422,
        code: 'VALIDATION_ERROR',
      },
    ]);
    expect(error.message).toMatch(/windows/);
  });

  it('refuses a run id that is not a UUID with 422, and an unknown one with 404', async () => {
    const { api } = suite;
    const runPaths = (id: string) => [
      () => api.get(`/v1/runs/${id}`),
      () => api.get(`/v1/runs/${id}/events?format=json`),
      () => api.post(`/v1/runs/${id}/cancel`),
      () => api.post(`/v1/runs/${id}/resume`),
      () => api.get(`/v1/machines/${id}`),
      () => api.call('DELETE', `/v1/machines/${id}`),
    ];
    await expectAllRefused([
      ...runPaths('not-a-uuid').map((send) => ({ send, status: 422, code: 'VALIDATION_ERROR' })),
      ...runPaths("1'%20OR%20'1'='1").map((send) => ({ send, status: 422 })),
      ...runPaths(unknownUuid).map((send) => ({ send, status: 404, code: 'NOT_FOUND' })),
      {
        send: () => api.post('/v1/runs', { machine_id: unknownUuid, task: 'no machine' }),
        status: 404,
        code: 'NOT_FOUND',
      },
      {
        send: () => api.post('/v1/runs', { machine_id: 'not-a-uuid', task: 'no machine' }),
        status: 404,
        code: 'NOT_FOUND',
      },
    ]);
  });

  it('answers an unknown route with a 404 envelope, a wrong method with 404 or 405', async () => {
    const { api } = suite;
    await expectAllRefused([
      { send: () => api.get('/v1/nothing-here'), status: 404 },
      { send: () => api.post('/v1/runs/abc/explode', {}), status: 404 },
      { send: () => api.withKey('').get('/v2/runs'), status: 404 },
    ]);

    const wrongMethod = await api.call('PUT', '/v1/runs');
    expect([404, 405]).toContain(wrongMethod.status);
    expectRefusal(wrongMethod, wrongMethod.status);
  });

  it('refuses limit=0, limit=201, a non-number limit and status=bogus with 422', async () => {
    const { api } = suite;
    const lists = ['/v1/runs', '/v1/machines', '/v1/wallet/ledger'];
    await expectAllRefused([
      ...lists.flatMap((path) =>
        ['limit=0', 'limit=201', 'limit=ten', 'limit=1.5'].map((query) => ({
          send: () => api.get(`${path}?${query}`),
          status: 422,
          code: 'VALIDATION_ERROR',
        })),
      ),
      { send: () => api.get('/v1/runs?status=bogus'), status: 422, code: 'VALIDATION_ERROR' },
      { send: () => api.get('/v1/runs?starting_after=x'), status: 422 },
      { send: () => api.get('/v1/wallet/ledger?run_id=x'), status: 422 },
    ]);
    expect((await api.get('/v1/runs?limit=200')).status).toBe(200);
    expect((await api.get('/v1/runs?limit=1')).status).toBe(200);
  });

  it('refuses a malformed Idempotency-Key, or one reused with another body, with 422', async () => {
    const { api } = suite;
    const topUp = (amountCents: number, key: string) =>
      api.post('/v1/wallet/top-ups', { amount_cents: amountCents }, { 'Idempotency-Key': key });
    expect((await topUp(10, 'bad-input-key-1')).status).toBe(200);
    await expectAllRefused([
      { send: () => topUp(10, 'has spaces in it'), status: 422, code: 'VALIDATION_ERROR' },
      { send: () => topUp(10, 'k'.repeat(129)), status: 422, code: 'VALIDATION_ERROR' },
      { send: () => topUp(11, 'bad-input-key-1'), status: 422, code: 'IDEMPOTENCY_KEY_REUSED' },
    ]);
  });

  it('answers a NUL character in a string alike on every store, never with a 500', async () => {
    const { api } = suite;
    const stored = [
      () => api.post('/v1/machines', { display_name: 'a\u0000b' }),
      () => api.post('/v1/keys', { name: 'a\u0000b' }),
      () => api.post('/v1/runs', { machine_id: machineId, task: 'a\u0000b' }),
    ];
    for (const send of stored) {
      const response = await send();
      expect.soft([200, 422], JSON.stringify(response.body)).toContain(response.status);
      if (response.status === 422) {
        expectRefusal(response, 422, 'VALIDATION_ERROR');
      }
      if (response.body?.object === 'agent.run') {
        await api.post(`/v1/runs/${response.body.id}/cancel`);
      }
    }

    const before = await snapshot(api);
    const lookups = [
      () => api.post('/v1/runs', { machine_id: 'a\u0000b', task: 'no machine' }),
      () => api.post('/v1/wallet/top-ups', { amount_cents: 1, organization_id: 'org_\u0000' }),
      () => api.get('/v1/idempotency/a%00b'),
    ];
    for (const send of lookups) {
      const response = await send();
      expect.soft([404, 422], JSON.stringify(response.body)).toContain(response.status);
      expectRefusal(response, response.status === 422 ? 422 : 404);
    }
    expect(await snapshot(api)).toEqual(before);
  });

  it('refuses a resume body with unknown fields, wrong types or a text body', async () => {
    const { api } = suite;
    await expectAllRefused([
      { send: () => api.post(`/v1/runs/${unknownUuid}/resume`, { nope: 1 }), status: 422 },
      { send: () => api.post(`/v1/runs/${unknownUuid}/resume`, { note: 5 }), status: 422 },
      {
        send: () =>
          api.call('POST', `/v1/runs/${unknownUuid}/resume`, 'hello', {
            'content-type': 'text/plain',
          }),
        status: 415,
      },
    ]);
  });
});
