import { beforeAll, describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import type { AgentServer } from './support/agent-server.js';
import type { Api } from './support/api.js';
import { eventsOf, useServer } from './support/suite.js';
import { testStores } from './support/server.js';
import { SseReader } from './support/sse-reader.js';
import type { SseFrame } from './support/sse-reader.js';

/** Every frame's `id:` is its data's seq and its `event:` name is the data's type. */
function expectFramesMatchTheirData(frames: SseFrame[]): void {
  for (const frame of frames) {
    expect(frame.id).toBe(String(frame.data.seq));
    expect(frame.event).toBe(frame.data.type);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A run whose second and third model calls wait for the test to open their gate. */
async function gatedRun(api: Api, agent: AgentServer, machineId: string, task: string) {
  const secondStep = gate();
  const thirdStep = gate();
  agent.on(task, async ({ step }) => {
    if (step === 1) {
      return { actions: [] };
    }
    if (step === 2) {
      await secondStep.promise;
      return { reasoning: 'the page is open', actions: [{ type: 'wait', ms: 1 }] };
    }
    await thirdStep.promise;
    return { text: 'all done', actions: [], done: { success: true, summary: 'finished' } };
  });
  const created = await api.post('/v1/runs', { machine_id: machineId, task });
  expect(created.status).toBe(200);
  const runId = created.body.id as string;
  const modelCalls = (count: number) =>
    until(() => agent.requestsFor(runId).length === count, `model call ${count}`);
  return { runId, secondStep, thirdStep, modelCalls };
}

/** A run of two steps, driven to its end: 14 events, from `status` to `done`. */
async function endedRun(api: Api, agent: AgentServer, machineId: string, task: string) {
  agent.on(task, ({ step }) =>
    step === 1
      ? {
          reasoning: 'two waits',
          text: 'waiting',
          actions: [
            { type: 'wait', ms: 1 },
            { type: 'wait', ms: 1 },
          ],
        }
      : { actions: [], done: { success: true, summary: 'waited' } },
  );
  const created = await api.post('/v1/runs', { machine_id: machineId, task });
  expect(created.status).toBe(200);
  const run = await api.waitForRun(created.body.id);
  return { run, events: await eventsOf(api, run.id) };
}

const twoStepTypes = [
  'status',
  'status',
  'billing',
  'reasoning',
  'text',
  'tool_call',
  'tool_result',
  'tool_call',
  'tool_result',
  'step',
  'billing',
  'step',
  'status',
  'done',
];

describe.each(testStores)('run events on %s', (store) => {
  const suite = useServer(store);
  // The runs of this file take turns on these machines; each test leaves them free.
  let machines: string[] = [];
  let ended: Awaited<ReturnType<typeof endedRun>>;
  const sharedMachine = () => machines[0]!;

  beforeAll(async () => {
    await suite.api.topUp(10_000);
    machines = await Promise.all([1, 2, 3].map(() => suite.api.machine()));
    // An ended run for the tests that only read events; it also warms the shared machine up.
    ended = await endedRun(suite.api, suite.agent, sharedMachine(), 'ended run');
  });

  it('resumes a dropped connection with exactly the missed events, then live to done', async () => {
    const { api, agent } = suite;
    const run = await gatedRun(api, agent, sharedMachine(), 'reconnect');

    // Events 1–5: queued, running, billing and step of step 1, billing of step 2.
    const first = await SseReader.open(api, `/v1/runs/${run.runId}/events`);
    expect(first.status).toBe(200);
    await first.until((reader) => reader.frames.length >= 5, 'five events');
    await run.modelCalls(2);
    await first.abort();
    expect(first.ids).toEqual([1, 2, 3, 4, 5]);
    expect(first.endedByServer).toBe(false);

    // Events 6–10 happen while nobody listens: step 2, then the charge of step 3.
    run.secondStep.open();
    await run.modelCalls(3);
    const missed = await eventsOf(api, run.runId, 5);
    expect(missed.map((event) => event.seq)).toEqual([6, 7, 8, 9, 10]);

    const second = await SseReader.open(api, `/v1/runs/${run.runId}/events`, {
      'last-event-id': '5',
    });
    expect(second.status).toBe(200);
    await second.until((reader) => reader.frames.length >= 5, 'the missed events');
    const heartbeatsSeen = second.heartbeats;
    await second.until((reader) => reader.heartbeats > heartbeatsSeen, 'a heartbeat');
    expect(second.ids).toEqual([6, 7, 8, 9, 10]);
    expect(second.frames.map((frame) => frame.event)).toEqual([
      'reasoning',
      'tool_call',
      'tool_result',
      'step',
      'billing',
    ]);

    run.thirdStep.open();
    await second.ended();
    expect(second.endedByServer).toBe(true);
    expect(second.error).toBeUndefined();
    expect(second.ids).toEqual(range(6, 14));
    expect(second.frames.slice(5).map((frame) => frame.event)).toEqual([
      'text',
      'step',
      'status',
      'done',
    ]);
    expect(second.frames.at(-1)?.data.data.status).toBe('succeeded');

    const all = await eventsOf(api, run.runId);
    expect(all.map((event) => event.seq)).toEqual(range(1, 14));
    expect([...first.frames, ...second.frames].map((frame) => frame.data)).toEqual(all);
    expectFramesMatchTheirData([...first.frames, ...second.frames]);
  });

  it('replays all events of an ended run, closes; ?after=N acts like Last-Event-ID', async () => {
    const { api } = suite;
    const { run, events } = ended;
    expect(events.map((event) => event.type)).toEqual(twoStepTypes);

    const whole = await SseReader.open(api, `/v1/runs/${run.id}/events`);
    expect(whole.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(whole.headers.get('x-coasty-request-id')).toMatch(/^req_/);
    await whole.ended();
    expect(whole.endedByServer).toBe(true);
    expect(whole.frames.map((frame) => frame.data)).toEqual(events);
    expectFramesMatchTheirData(whole.frames);

    const afterQuery = await SseReader.open(api, `/v1/runs/${run.id}/events?after=9`);
    const afterHeader = await SseReader.open(api, `/v1/runs/${run.id}/events`, {
      'last-event-id': '9',
    });
    await Promise.all([afterQuery.ended(), afterHeader.ended()]);
    expect(afterQuery.ids).toEqual(range(10, 14));
    expect(afterQuery.frames).toEqual(afterHeader.frames);
    expect(afterQuery.frames.map((frame) => frame.data)).toEqual(events.slice(9));
    expectFramesMatchTheirData(afterQuery.frames);
  });

  it('ends at once, with no frames, a stream resumed after the done of an ended run', async () => {
    const { api } = suite;
    const { run, events } = ended;
    const lastSeq = String(events.at(-1).seq);

    const resumed = await SseReader.open(api, `/v1/runs/${run.id}/events`, {
      'last-event-id': lastSeq,
    });
    try {
      expect([200, 204]).toContain(resumed.status);
      await resumed.ended(2_000);
      expect(resumed.frames).toEqual([]);
    } finally {
      await resumed.abort();
    }
  });

  it('marks a JSON page past the done event of an ended run as done', async () => {
    const { api } = suite;
    const { run, events } = ended;
    const lastSeq = events.at(-1).seq as number;

    const page = await api.get(`/v1/runs/${run.id}/events?format=json&after=${lastSeq}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ data: [], has_more: false, next_after: lastSeq, done: true });
  });

  it('numbers the events of concurrent runs gaplessly from 1, each step in its order', async () => {
    const { api, agent } = suite;
    const runs = await Promise.all(
      machines.map((machineId, index) => endedRun(api, agent, machineId, `concurrent ${index}`)),
    );
    for (const { events } of runs) {
      expect(events.map((event) => event.type)).toEqual(twoStepTypes);
    }

    const listed = await api.get('/v1/runs?limit=200');
    expect(listed.body.data.length).toBeGreaterThanOrEqual(3);
    for (const run of listed.body.data) {
      const events = await eventsOf(api, run.id);
      expect(events.map((event) => event.seq)).toEqual(range(1, events.length));
      expect(events[0]).toMatchObject({ type: 'status', data: { status: 'queued' } });
    }
  });

  it('sends heartbeat comments on an idle stream and nothing else', async () => {
    const { api, agent } = suite;
    const run = await gatedRun(api, agent, sharedMachine(), 'idle stream');
    await run.modelCalls(2);

    const stream = await SseReader.open(api, `/v1/runs/${run.runId}/events?after=5`);
    await stream.until((reader) => reader.heartbeats >= 3, 'three heartbeats', 3_000);
    expect(stream.frames).toEqual([]);
    expect(stream.comments.every((comment) => comment === 'heartbeat')).toBe(true);
    await stream.abort();

    run.secondStep.open();
    run.thirdStep.open();
    await api.waitForRun(run.runId);
  });

  it('refuses an invalid Last-Event-ID or after with a 422 error envelope', async () => {
    const { api } = suite;
    const { run } = ended;

    for (const lastEventId of ['abc', '-1', '2.5']) {
      const refused = await SseReader.open(api, `/v1/runs/${run.id}/events`, {
        'last-event-id': lastEventId,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        type: 'validation_error',
        retryable: false,
        request_id: refused.headers.get('x-coasty-request-id'),
      });
    }
    const badAfter = await api.get(`/v1/runs/${run.id}/events?after=abc`);
    expect(badAfter.status).toBe(422);
    expect(badAfter.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('answers 404 to a key of another organization, for the stream and the JSON page', async () => {
    const { api } = suite;
    const { run } = ended;
    const org = await api.post('/v1/organizations', { name: 'other events org' });
    expect(org.status).toBe(200);
    const stranger = api.withKey(org.body.api_key);

    const stream = await SseReader.open(stranger, `/v1/runs/${run.id}/events`);
    expect(stream.status).toBe(404);
    expect(stream.body.error).toMatchObject({ code: 'NOT_FOUND', type: 'not_found_error' });
    const page = await stranger.get(`/v1/runs/${run.id}/events?format=json`);
    expect(page.status).toBe(404);
    expect(page.body.error.code).toBe('NOT_FOUND');
  });

  it('pages the JSON events with limit and next_after, done only on the last page', async () => {
    const { api } = suite;
    const { run, events } = ended;

    const pages: any[] = [];
    let after = 0;
    for (let page = 0; page < 10; page += 1) {
      const response = await api.get(
        `/v1/runs/${run.id}/events?format=json&limit=4&after=${after}`,
      );
      expect(response.status).toBe(200);
      pages.push(response.body);
      after = response.body.next_after;
      if (!response.body.has_more) {
        break;
      }
    }

    expect(pages.map((page) => page.data.map((event: any) => event.seq))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14],
    ]);
    expect(pages.map((page) => page.next_after)).toEqual([4, 8, 12, 14]);
    expect(pages.map((page) => page.has_more)).toEqual([true, true, true, false]);
    expect(pages.map((page) => page.done)).toEqual([false, false, false, true]);
    expect(pages.every((page) => page.object === 'list' && /^req_/.test(page.request_id))).toBe(
      true,
    );
    expect(pages.flatMap((page) => page.data)).toEqual(events);

    const accepted = await api.get(`/v1/runs/${run.id}/events?limit=4`, {
      accept: 'application/json',
    });
    expect(accepted.headers.get('content-type')).toMatch(/^application\/json/);
    expect({ ...accepted.body, request_id: pages[0].request_id }).toEqual(pages[0]);
  });
});
