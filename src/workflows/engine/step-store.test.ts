import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { systemClock } from '../../core/index.js';
import { EventBus, EventLog } from '../../events/index.js';
import { openTestStore, unitTestStores } from '../../store/test-kit.js';
import { StepStore } from './step-store.js';

describe.each(unitTestStores)('the step store of a workflow run on %s', (kind) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let events: EventLog;
  let runNumber = 0;

  beforeAll(async () => {
    store = await openTestStore(kind);
    events = new EventLog(store, systemClock, new EventBus());
    await store.db
      .insertInto('organizations')
      .values({ id: 'org', name: 'org', created_at: new Date().toISOString() })
      .execute();
  });
  afterAll(() => store.drop());

  async function newRun(): Promise<StepStore> {
    const id = `wfr-${++runNumber}`;
    await store.db
      .insertInto('workflow_runs')
      .values({
        id,
        organization_id: 'org',
        workflow_id: null,
        workflow_version: null,
        definition: '{"steps":[]}',
        status: 'running',
        machine_id: null,
        inputs: '{}',
        output: null,
        error: null,
        awaiting_human_reason: null,
        awaiting_step_id: null,
        iterations_used: 0,
        max_iterations: null,
        spent_cents: 0,
        budget_cents: null,
        deadline_seconds: null,
        llm: null,
        webhook_url: null,
        webhook_secret: null,
        metadata: null,
        request_id: null,
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
        lease_owner: null,
        lease_expires_at: null,
      })
      .execute();
    return new StepStore(store, events, systemClock, id);
  }

  it('reports a step once however often it is begun and finished', async () => {
    const steps = await newRun();
    const step = { key: 'rows/0/fill', stepId: 'fill', type: 'task' };
    const first = await steps.begin(step, { runId: 'run-a' });
    const again = await steps.begin(step, { runId: 'run-b' });
    expect(again.run_id).toBe(first.run_id);
    const result = { status: 'succeeded' as const, output: { n: 1 }, error: null };
    await steps.finish(step, result);
    await steps.finish(step, { status: 'failed', output: null, error: { code: 'LATE' } });

    expect(StepStore.resultOf(await steps.read(step.key))).toEqual(result);
    const log = await events.list('wfr-1', 0, 10);
    expect(log.map((event) => event.data['phase'])).toEqual(['started', 'finished']);
    expect(await steps.childRunIds()).toEqual(['run-a']);
  });

  it('keeps the first answer of a decision', async () => {
    const steps = await newRun();
    let computed = 0;
    const decide = () =>
      steps.decide('check#branch', async () => (++computed === 1 ? 'then' : 'else'));
    expect(await decide()).toBe('then');
    expect(await decide()).toBe('then');
    expect(computed).toBe(1);
  });

  it('counts each iteration once and none past the limit', async () => {
    const steps = await newRun();
    expect(await steps.countIteration('loop/0', 2)).toBe(true);
    expect(await steps.countIteration('loop/0', 2)).toBe(true);
    const parallel = await Promise.all([
      steps.countIteration('loop/1', 2),
      steps.countIteration('other/0', 2),
    ]);
    expect(parallel.filter(Boolean)).toHaveLength(1);
    const run = await store.db
      .selectFrom('workflow_runs')
      .select('iterations_used')
      .where('id', '=', `wfr-${runNumber}`)
      .executeTakeFirstOrThrow();
    expect(run.iterations_used).toBe(2);
  });
});
