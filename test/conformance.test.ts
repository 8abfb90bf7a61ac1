import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import { useServer } from './support/suite.js';
import type { Api, ApiResponse } from './support/api.js';
import { locate, readProblemTypes, Reference } from './support/reference.js';
import type { Json, Method, ProblemType } from './support/reference.js';

const repoRoot = join(import.meta.dirname, '..');
const referencePath = join(repoRoot, '..', 'shared', 'reference', 'coasty-openapi.json');
const problemTypesPath = join(repoRoot, '..', 'shared', 'reference', 'coasty-problem-types.yml');
const referenceFound = existsSync(referencePath);
if (!referenceFound) {
  console.warn(
    `Skipping the conformance suite: the Coasty reference is absent at ${referencePath}.`,
  );
}

interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Replaces the template's `{name}` parameters. */
  params?: Record<string, string>;
  query?: string;
}

/** The operations of the reference that the server offers, each exercised below. */
const sharedOperations = [
  'health',
  'createApiKey',
  'listApiKeys',
  'revokeApiKey',
  'provisionMachine',
  'listMachines',
  'getMachine',
  'terminateMachine',
  'getScreenshot',
  'executeAction',
  'executeBatch',
  'browserOp',
  'terminalExec',
  'filesOp',
  'startMachine',
  'stopMachine',
  'restartMachine',
  'updateMachine',
  'machinesHealth',
  'getMachinePricing',
  'getConnectionDetails',
  'snapshotMachine',
  'createRun',
  'listRuns',
  'getRun',
  'streamRunEvents',
  'cancelRun',
  'resumeRun',
  'getIdempotencyResult',
  'createWorkflow',
  'listWorkflows',
  'getWorkflow',
  'updateWorkflow',
  'deleteWorkflow',
  'startWorkflowRun',
  'startAdhocWorkflowRun',
  'listWorkflowRuns',
  'getWorkflowRun',
  'streamWorkflowRunEvents',
  'cancelWorkflowRun',
  'resumeWorkflowRun',
];

describe.skipIf(!referenceFound)('conformance with the Coasty v1 reference', () => {
  // Without waiting for a request in flight, a concurrent retry shows IDEMPOTENCY_IN_FLIGHT.
  const suite = useServer('sqlite', { DESKHAND_IDEMPOTENCY_WAIT_MS: '0' });
  const exercised = new Set<string>();
  let reference: Reference;
  let problemTypes: Map<string, ProblemType>;
  let errorTypes: string[];

  beforeAll(() => {
    reference = new Reference(JSON.parse(readFileSync(referencePath, 'utf8')) as Json);
    problemTypes = readProblemTypes(problemTypesPath);
    errorTypes =
      reference.document.components.schemas.ApiError.properties.error.properties.type.enum;
  });

  /**
   * Calls an operation of the reference by its path template and holds the answer against it:
   * a request id header on every response, the same id in an error body, and a JSON body that
   * obeys the reference's schema for that status.
   */
  async function call(
    api: Api,
    method: Method,
    template: string,
    options: CallOptions = {},
  ): Promise<ApiResponse> {
    const operationId = reference.operation(method, template).operationId as string;
    exercised.add(operationId);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) {
        throw new Error(`no value for {${name}} of ${template}`);
      }
      return encodeURIComponent(value);
    });
    const url = options.query ? `${path}?${options.query}` : path;
    const response = await api.call(method.toUpperCase(), url, options.body, options.headers);
    expectConformance(response, method, template, operationId);
    return response;
  }

  function expectConformance(
    response: ApiResponse,
    method: Method,
    template: string,
    operationId: string,
  ): void {
    const label = `${operationId} (${method.toUpperCase()} ${template}) → ${response.status}`;
    const requestId = response.headers.get('x-coasty-request-id');
    expect(requestId, `${label}: X-Coasty-Request-Id`).toMatch(/^req_/);
    expect(response.status, `${label}: never a 500`).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.body?.error?.request_id, `${label}: error.request_id`).toBe(requestId);
    }

    const validate = reference.validatorFor(method, template, response.status);
    const valid = validate(response.body);
    const problems = valid
      ? []
      : (validate.errors ?? []).map(
          (error) =>
            `${error.instancePath || '(root)'} ${error.message} ${JSON.stringify(error.params)}`,
        );
    expect.soft(problems, `${label}: body against the reference schema`).toEqual([]);
    if (response.status >= 400) {
      expectCatalogued(response.status, response.body.error, label);
    }
  }

  /**
   * An error code the reference catalogues keeps its status and retryable flag there, and its
   * type where the catalogue's type is one the ApiError schema allows (the catalogue names
   * `conflict_error` for 409s, which the schema's enum lacks; the schema wins).
   */
  function expectCatalogued(status: number, error: Json, label: string): void {
    const problem = problemTypes.get(error.code);
    if (!problem) {
      return;
    }
    expect.soft({ status, retryable: error.retryable }, `${label}: ${error.code}`).toEqual({
      status: problem.status,
      retryable: problem.retryable,
    });
    if (errorTypes.includes(problem.type)) {
      expect.soft(error.type, `${label}: type of ${error.code}`).toBe(problem.type);
    }
    if (!error.retryable) {
      expect.soft(error.retry_with_same_idempotency_key, label).toBe(false);
    }
  }

  async function scopedKey(scopes: string[]): Promise<string> {
    const created = await suite.api.post('/v1/keys', {
      name: `scoped ${scopes.join(' ')}`,
      scopes,
    });
    expect(created.status).toBe(200);
    return created.body.key as string;
  }

  it('holds bodies to the reference: a body that breaks its schema is caught', () => {
    const run = reference.validatorFor('get', '/v1/runs/{run_id}', 200);
    expect(run({ id: 'r', object: 'agent.run', status: 'queued' })).toBe(true);
    expect(run({ id: 'r', object: 'run', status: 'queued' })).toBe(false);
    const notFound = reference.validatorFor('get', '/v1/runs/{run_id}', 404);
    expect(notFound({ error: { code: 'NOT_FOUND', message: 'm', type: 'not_found_error' } })).toBe(
      false,
    );
    expect(problemTypes.get('NOT_FOUND')).toEqual({
      status: 404,
      type: 'not_found_error',
      retryable: false,
    });
  });

  it('answers health without a key, in the shape of HealthResponse', async () => {
    const response = await call(suite.api.withKey(''), 'get', '/v1/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });

  it('creates, lists and revokes keys, and refuses with 401, 403, 404, 409 and 422', async () => {
    const { api } = suite;
    const created = await call(api, 'post', '/v1/keys', {
      body: { name: 'conformance', scopes: ['runs:read', 'machines:read'] },
    });
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(/^sk-coasty-live-/);

    const listed = await call(api, 'get', '/v1/keys');
    expect(listed.status).toBe(200);
    expect(listed.body.keys.map((key: Json) => key.key_id)).toContain(created.body.key_id);

    const revoked = await call(api, 'delete', '/v1/keys/{key_id}', {
      params: { key_id: created.body.key_id },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'ok', key_id: created.body.key_id });

    const unknown = await call(api, 'delete', '/v1/keys/{key_id}', {
      params: { key_id: 'key_doesnotexist' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');

    const ownId = (await api.get('/v1/keys')).body.keys.find((key: Json) =>
      api.key.includes(key.key_prefix),
    ).key_id as string;
    const itself = await call(api, 'delete', '/v1/keys/{key_id}', { params: { key_id: ownId } });
    expect(itself.status).toBe(409);
    expect(itself.body.error.code).toBe('INVALID_STATE');

    const anonymous = await call(api.withKey(''), 'get', '/v1/keys');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('INVALID_API_KEY');
    const wrongKey = await call(api.withKey('sk-coasty-live-0000'), 'post', '/v1/keys', {
      body: { name: 'nope' },
    });
    expect(wrongKey.status).toBe(401);

    const reader = api.withKey(await scopedKey(['runs:read']));
    const forbidden = await call(reader, 'post', '/v1/keys', { body: { name: 'more' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('INSUFFICIENT_SCOPE');

    const invalid = await call(api, 'post', '/v1/keys', { body: { name: 'x', scopes: ['god'] } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('handles machines end to end and refuses with 401, 403, 404 and 422', async () => {
    const { api } = suite;
    const provisioned = await call(api, 'post', '/v1/machines', {
      body: { display_name: 'conformance machine' },
    });
    expect(provisioned.status).toBe(200);
    const machineId = provisioned.body.machine.id as string;

    const listed = await call(api, 'get', '/v1/machines', { query: 'limit=5' });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((machine: Json) => machine.id)).toContain(machineId);

    const got = await call(api, 'get', '/v1/machines/{machine_id}', {
      params: { machine_id: machineId },
    });
    expect(got.status).toBe(200);
    expect(got.body.machine.id).toBe(machineId);

    const deleted = await call(api, 'delete', '/v1/machines/{machine_id}', {
      params: { machine_id: machineId },
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body.machine_id).toBe(machineId);

    const gone = await call(api, 'get', '/v1/machines/{machine_id}', {
      params: { machine_id: machineId },
    });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
    const deletedTwice = await call(api, 'delete', '/v1/machines/{machine_id}', {
      params: { machine_id: machineId },
    });
    expect(deletedTwice.status).toBe(404);

    const windows = await call(api, 'post', '/v1/machines', {
      body: { display_name: 'windows box', os_type: 'windows' },
    });
    expect(windows.status).toBe(422);
    const badLimit = await call(api, 'get', '/v1/machines', { query: 'limit=0' });
    expect(badLimit.status).toBe(422);
    const notUuid = await call(api, 'get', '/v1/machines/{machine_id}', {
      params: { machine_id: 'not-a-uuid' },
    });
    expect(notUuid.status).toBe(422);

    const anonymous = await call(api.withKey(''), 'get', '/v1/machines');
    expect(anonymous.status).toBe(401);
    const reader = api.withKey(await scopedKey(['machines:read']));
    const forbidden = await call(reader, 'post', '/v1/machines', {
      body: { display_name: 'not allowed' },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('captures screenshots, performs actions and batches in the reference’s shapes', async () => {
    const { api } = suite;
    const machineId = await api.machine();
    const params = { machine_id: machineId };

    const shot = await call(api, 'get', '/v1/machines/{machine_id}/screenshot', { params });
    expect(shot.status).toBe(200);
    const clicked = await call(api, 'post', '/v1/machines/{machine_id}/actions', {
      params,
      body: { command: 'click', parameters: { x: 5, y: 5 } },
    });
    expect(clicked.body.success).toBe(true);
    const outside = await call(api, 'post', '/v1/machines/{machine_id}/actions', {
      params,
      body: { command: 'click', parameters: { x: 9000, y: 5 } },
    });
    expect(outside.body.success).toBe(false);
    const batch = await call(api, 'post', '/v1/machines/{machine_id}/actions/batch', {
      params,
      body: {
        steps: [{ command: 'screenshot' }, { command: 'key_press', parameters: { key: 'a' } }],
      },
    });
    expect(batch.body.completed_count).toBe(2);

    const invalid = await call(api, 'post', '/v1/machines/{machine_id}/actions', {
      params,
      body: { command: 'click', parameters: { x: -1 } },
    });
    expect(invalid.status).toBe(422);
    const reader = api.withKey(await scopedKey(['machines:read']));
    const forbidden = await call(reader, 'post', '/v1/machines/{machine_id}/actions/batch', {
      params,
      body: { steps: [{ command: 'click', parameters: { x: 1, y: 1 } }] },
    });
    expect(forbidden.status).toBe(403);
    const unknown = await call(api, 'get', '/v1/machines/{machine_id}/screenshot', {
      params: { machine_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.status).toBe(404);

    for (const verb of ['stop', 'start', 'restart']) {
      const changed = await call(api, 'post', `/v1/machines/{machine_id}/${verb}`, { params });
      expect(changed.status).toBe(200);
    }
    const leased = await call(api, 'patch', '/v1/machines/{machine_id}', {
      params,
      body: { ttl_minutes: 60 },
    });
    expect(leased.status).toBe(200);
    const badLease = await call(api, 'patch', '/v1/machines/{machine_id}', {
      params,
      body: { ttl_minutes: 2 },
    });
    expect(badLease.status).toBe(422);
  });

  it('answers health, pricing, connections and snapshots in the reference’s shapes', async () => {
    const { api } = suite;
    const health = await call(api.withKey(''), 'get', '/v1/machines/health');
    expect(health.status).toBe(200);
    const pricing = await call(api, 'get', '/v1/machines/pricing');
    expect(pricing.body.pricing.one_time.snapshot_credits).toEqual(expect.any(Number));

    const params = { machine_id: await api.machine() };
    const connection = await call(api, 'get', '/v1/machines/{machine_id}/connection', { params });
    expect(connection.status).toBe(200);
    const reader = api.withKey(await scopedKey(['machines:read']));
    const hidden = await call(reader, 'get', '/v1/machines/{machine_id}/connection', { params });
    expect(hidden.status).toBe(403);

    await api.topUp(100);
    const snapshot = await call(api, 'post', '/v1/machines/{machine_id}/snapshot', {
      params,
      headers: { 'Idempotency-Key': 'conformance-snapshot' },
    });
    expect(snapshot.status).toBe(200);
    const refused = await call(reader, 'post', '/v1/machines/{machine_id}/snapshot', { params });
    expect(refused.status).toBe(403);
  });

  it('creates, lists, gets, cancels and resumes runs in the shape of RunResponse', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('conformance: ask a human', ({ step, human_note }) =>
      step === 1
        ? { actions: [], needs_human: { reason: 'Which account?' } }
        : { actions: [], done: { success: true, summary: String(human_note) } },
    );

    const created = await call(api, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'conformance: ask a human', metadata: { case: 'a' } },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'agent.run', status: 'queued' });
    const runId = created.body.id as string;

    await api.waitForRun(runId, (run) => run.status === 'awaiting_human');
    const waiting = await call(api, 'get', '/v1/runs/{run_id}', { params: { run_id: runId } });
    expect(waiting.body.status).toBe('awaiting_human');

    const resumed = await call(api, 'post', '/v1/runs/{run_id}/resume', {
      params: { run_id: runId },
      body: { note: 'the work one' },
    });
    expect(resumed.status).toBe(200);
    const finished = await api.waitForRun(runId);
    expect(finished.status).toBe('succeeded');

    const resumedAgain = await call(api, 'post', '/v1/runs/{run_id}/resume', {
      params: { run_id: runId },
    });
    expect(resumedAgain.status).toBe(409);
    expect(resumedAgain.body.error.code).toBe('INVALID_STATE');

    const cancelled = await call(api, 'post', '/v1/runs/{run_id}/cancel', {
      params: { run_id: runId },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('succeeded');

    const listed = await call(api, 'get', '/v1/runs', { query: 'limit=5&status=succeeded' });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((run: Json) => run.id)).toContain(runId);
    const badStatus = await call(api, 'get', '/v1/runs', { query: 'status=bogus' });
    expect(badStatus.status).toBe(422);
  });

  it('refuses runs with the reference envelopes for 401, 402, 403, 404, 409 and 422', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    const hold = gate();
    agent.on('conformance: hold', async () => {
      await hold.promise;
      return { actions: [], done: { success: true, summary: 'released' } };
    });
    const held = await call(api, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'conformance: hold' },
    });
    expect(held.status).toBe(200);

    const busy = await call(api, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'conformance: hold' },
    });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('INVALID_STATE');
    const machineBusy = await call(api, 'delete', '/v1/machines/{machine_id}', {
      params: { machine_id: machineId },
    });
    expect(machineBusy.status).toBe(409);
    const notWaiting = await call(api, 'post', '/v1/runs/{run_id}/resume', {
      params: { run_id: held.body.id },
    });
    expect(notWaiting.status).toBe(409);

    const cancelled = await call(api, 'post', '/v1/runs/{run_id}/cancel', {
      params: { run_id: held.body.id },
    });
    expect(cancelled.body.status).toBe('cancelled');
    hold.open();

    const unknownMachine = await call(api, 'post', '/v1/runs', {
      body: { machine_id: '00000000-0000-4000-8000-000000000000', task: 'anything' },
    });
    expect(unknownMachine.status).toBe(404);
    const invalid = await call(api, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'x', max_steps: 0 },
    });
    expect(invalid.status).toBe(422);
    const unknownVersion = await call(api, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'x', cua_version: 'v9' },
    });
    expect(unknownVersion.status).toBe(422);

    const unknownRun = '00000000-0000-4000-8000-000000000000';
    for (const template of ['/v1/runs/{run_id}', '/v1/runs/{run_id}/events']) {
      const missing = await call(api, 'get', template, { params: { run_id: unknownRun } });
      expect(missing.status).toBe(404);
    }
    for (const template of ['/v1/runs/{run_id}/cancel', '/v1/runs/{run_id}/resume']) {
      const missing = await call(api, 'post', template, { params: { run_id: unknownRun } });
      expect(missing.status).toBe(404);
    }

    const anonymous = await call(api.withKey(''), 'get', '/v1/runs');
    expect(anonymous.status).toBe(401);
    const reader = api.withKey(await scopedKey(['runs:read']));
    const forbidden = await call(reader, 'post', '/v1/runs', {
      body: { machine_id: machineId, task: 'not allowed' },
    });
    expect(forbidden.status).toBe(403);

    const org = await api.post('/v1/organizations', { name: 'conformance: empty wallet' });
    const poor = api.withKey(org.body.api_key);
    const unpaid = await call(poor, 'post', '/v1/runs', {
      body: { machine_id: await poor.machine(), task: 'anything' },
    });
    expect(unpaid.status).toBe(402);
    expect(unpaid.body.error.code).toBe('INSUFFICIENT_CREDITS');
  });

  it('streams run events as text/event-stream with a request id', async () => {
    const { api, agent } = suite;
    await api.topUp(1000);
    const machineId = await api.machine();
    agent.on('conformance: finish', () => ({
      actions: [],
      done: { success: true, summary: 'done' },
    }));
    const created = await api.post('/v1/runs', {
      machine_id: machineId,
      task: 'conformance: finish',
    });
    exercised.add(reference.operation('get', '/v1/runs/{run_id}/events').operationId);

    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1/runs/${created.body.id}/events`, {
      headers: { 'x-api-key': api.key, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    controller.abort();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-coasty-request-id')).toMatch(/^req_/);
  });

  it('saves, runs, resumes, cancels and archives workflows in the reference shapes', async () => {
    const { api } = suite;
    const definition = { steps: [{ id: 'ask', type: 'human_approval', message: 'go on?' }] };
    const created = await call(api, 'post', '/v1/workflows', {
      body: { name: 'conformance', slug: 'conformance-flow', definition },
    });
    expect(created.status).toBe(200);
    const workflowId: string = created.body.id;
    const params = { workflow_id: workflowId };
    expect((await call(api, 'get', '/v1/workflows')).body.data[0].id).toBe(workflowId);
    expect((await call(api, 'get', '/v1/workflows/{workflow_id}', { params })).status).toBe(200);
    const updated = await call(api, 'put', '/v1/workflows/{workflow_id}', {
      params,
      body: { description: 'asks first' },
    });
    expect(updated.body.version).toBe(2);
    const taken = await call(api, 'post', '/v1/workflows', {
      body: { name: 'again', slug: 'conformance-flow', definition },
    });
    expect(taken.status).toBe(409);

    const started = await call(api, 'post', '/v1/workflows/{workflow_id}/runs', {
      params,
      body: { inputs: {} },
    });
    expect(started.body).toMatchObject({ status: 'queued', workflow_version: 2 });
    const runParams = { run_id: started.body.id };
    let run = started.body;
    while (run.status !== 'awaiting_human') {
      run = (await call(api, 'get', '/v1/workflows/runs/{run_id}', { params: runParams })).body;
    }
    const resumed = await call(api, 'post', '/v1/workflows/runs/{run_id}/resume', {
      params: runParams,
      body: { approved: true, note: 'yes' },
    });
    expect(resumed.status).toBe(200);
    const listed = await call(api, 'get', '/v1/workflows/runs', {
      query: `workflow_id=${workflowId}`,
    });
    expect(listed.body.data.map((item: Json) => item.id)).toEqual([started.body.id]);

    const adhoc = await call(api, 'post', '/v1/workflows/runs', { body: { definition } });
    const cancelled = await call(api, 'post', '/v1/workflows/runs/{run_id}/cancel', {
      params: { run_id: adhoc.body.id },
    });
    expect(cancelled.body.status).toBe('cancelled');
    const invalid = await call(api, 'post', '/v1/workflows/runs', {
      body: { definition: { steps: [{ id: 'x', type: 'nope' }] } },
    });
    expect(invalid.status).toBe(422);
    const missing = await call(api, 'get', '/v1/workflows/runs/{run_id}', {
      params: { run_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(missing.status).toBe(404);

    exercised.add('streamWorkflowRunEvents');
    const controller = new AbortController();
    const stream = await fetch(`${api.url}/v1/workflows/runs/${adhoc.body.id}/events`, {
      headers: { 'x-api-key': api.key, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    controller.abort();
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const archived = await call(api, 'delete', '/v1/workflows/{workflow_id}', { params });
    expect(archived.body).toMatchObject({ id: workflowId, object: 'workflow', deleted: true });
    const refused = await call(api, 'post', '/v1/workflows/{workflow_id}/runs', {
      params,
      body: {},
    });
    expect(refused.status).toBe(409);
  });

  it('replays an idempotent create and finds its result by key', async () => {
    const { api } = suite;
    const key = `conformance-${Date.now()}`;
    const body = { display_name: 'idempotent machine' };
    const headers = { 'Idempotency-Key': key };
    const first = await call(api, 'post', '/v1/machines', { body, headers });
    const replay = await call(api, 'post', '/v1/machines', { body, headers });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('x-coasty-idempotent-replay')).toBe('true');
    expect(replay.body.machine.id).toBe(first.body.machine.id);

    const reused = await call(api, 'post', '/v1/machines', {
      body: { display_name: 'another machine' },
      headers,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const racingKey = { 'Idempotency-Key': `${key}-race` };
    const racing = await Promise.all(
      [1, 2].map(() => call(api, 'post', '/v1/machines', { body, headers: racingKey })),
    );
    const inFlight = racing.find((response) => response.status === 409);
    expect(racing.map((response) => response.status).sort()).toEqual([200, 409]);
    expect(inFlight?.body.error).toMatchObject({
      code: 'IDEMPOTENCY_IN_FLIGHT',
      retryable: true,
      retry_with_same_idempotency_key: true,
    });
    expect(inFlight?.headers.get('retry-after')).toMatch(/^\d+$/);

    const found = await call(api, 'get', '/v1/idempotency/{key}', { params: { key } });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ status: 'completed', original_status: 200 });
    expect(found.body.result.machine.id).toBe(first.body.machine.id);

    const unknown = await call(api, 'get', '/v1/idempotency/{key}', {
      params: { key: 'never-used' },
    });
    expect(unknown.status).toBe(404);
    const anonymous = await call(api.withKey(''), 'get', '/v1/idempotency/{key}', {
      params: { key },
    });
    expect(anonymous.status).toBe(401);
  });

  it('answers the browser, terminal and files shorthands in the reference’s shapes', async () => {
    const { api } = suite;
    const params = { machine_id: await api.machine() };
    const browser = (op: string, body: Json) =>
      call(api, 'post', '/v1/machines/{machine_id}/browser/{op}', {
        params: { ...params, op },
        body,
      });
    expect((await browser('list-tabs', {})).body.success).toBe(true);
    expect((await browser('teleport', {})).status).toBe(422);

    const terminal = await call(api, 'post', '/v1/machines/{machine_id}/terminal', {
      params,
      body: { command: 'echo hi' },
    });
    expect(terminal.body.result.output).toBe('hi\n');
    const files = (op: string, body: Json) =>
      call(api, 'post', '/v1/machines/{machine_id}/files/{op}', {
        params: { ...params, op },
        body,
      });
    expect((await files('write', { parameters: { path: 'a', content: 'x' } })).body.success).toBe(
      true,
    );
    expect((await files('read', { parameters: { path: '../a' } })).status).toBe(422);
    const reader = api.withKey(await scopedKey(['files:read']));
    const denied = await call(reader, 'post', '/v1/machines/{machine_id}/files/{op}', {
      params: { ...params, op: 'delete' },
      body: { parameters: { path: 'a' } },
    });
    expect(denied.status).toBe(403);
  });

  it('serves /openapi.json as OpenAPI 3.1 with every shared operation in place', async () => {
    const response = await suite.api.withKey('').get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-coasty-request-id')).toMatch(/^req_/);
    expect(response.body.openapi).toMatch(/^3\.1\.\d+$/);

    const served = new Map<string, string>();
    for (const [path, item] of Object.entries<Json>(response.body.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        served.set(operation.operationId, `${method.toUpperCase()} ${path}`);
      }
    }
    for (const operationId of new Set([...sharedOperations, ...exercised])) {
      const [method, path] = locate(reference.document, operationId);
      expect.soft(served.get(operationId), operationId).toBe(`${method} ${path}`);
    }
  });

  // Runs last on purpose: it reads what the tests above exercised.
  it('exercises every operation the server shares with the reference', async () => {
    const response = await suite.api.withKey('').get('/openapi.json');
    const servedIds = Object.values<Json>(response.body.paths).flatMap((item) =>
      Object.values<Json>(item).map((operation) => operation.operationId as string),
    );
    const referenceIds = reference.operationIds();
    const shared = servedIds.filter((id) => referenceIds.has(id)).sort();
    expect(shared.filter((id) => !sharedOperations.includes(id))).toEqual([]);
    expect(sharedOperations.filter((id) => !exercised.has(id))).toEqual([]);
  });
});
