import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startSignupSite } from '../src/cli/signup-site.js';
import type { SignupSite } from '../src/cli/signup-site.js';
import { Api } from './support/api.js';
import { TestServer } from './support/server.js';
import { eventsOf } from './support/suite.js';

const runTimeoutMs = 90_000;

describe('the local agent on a browser machine', () => {
  let server: TestServer;
  let site: SignupSite;
  let api: Api;

  beforeAll(async () => {
    site = await startSignupSite();
    // No model endpoint or key: the server's default model is the offline one.
    server = await new TestServer({ store: 'sqlite' }).start();
    api = new Api(server.url, server.adminKey);
    await api.topUp(5000);
  });

  afterAll(async () => {
    await server?.stop();
    await site?.close();
  });

  // The page reports each keystroke with a fetch, which may land just after the run ends.
  const expectField = (value: string) =>
    vi.waitFor(() => expect(site.fields.email).toBe(value), { timeout: 5_000 });

  const seedTask = () =>
    `Open Chrome, navigate to ${site.url}/, click the Sign Up link, and type your email`;

  it(
    'does the seed task with the email from the run’s variables',
    { timeout: 120_000 },
    async () => {
      const machineId = await api.machine();
      const created = await api.post('/v1/runs', {
        machine_id: machineId,
        task: seedTask(),
        variables: { email: 'grace@example.com' },
      });
      expect(created.status).toBe(200);
      expect(created.body.model).toBe('local');

      const run = await api.waitForRun(created.body.id, undefined, runTimeoutMs);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      await expectField('grace@example.com');
    },
  );

  it(
    'asks for the email it was not given and types the one a human resumes with',
    { timeout: 120_000 },
    async () => {
      const machineId = await api.machine();
      const created = await api.post('/v1/runs', { machine_id: machineId, task: seedTask() });
      const paused = await api.waitForRun(
        created.body.id,
        (run) => run.status !== 'queued' && run.status !== 'running',
        runTimeoutMs,
      );
      expect(paused.status, JSON.stringify(paused)).toBe('awaiting_human');
      expect(paused.awaiting_human_reason).toMatch(/What email should I type/);

      const resumed = await api.post(`/v1/runs/${created.body.id}/resume`, {
        note: 'Use ada.lovelace@example.org, thanks.',
      });
      expect(resumed.status).toBe(200);
      const run = await api.waitForRun(created.body.id, undefined, runTimeoutMs);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      await expectField('ada.lovelace@example.org');

      const events = await eventsOf(api, run.id);
      const clicks = events.filter((event) => event.type === 'tool_call');
      expect(clicks.map((event) => event.data.action.type)).toContain('click');
    },
  );

  it(
    'does the seed task on a desktop machine, in its Chromium window',
    { timeout: 150_000 },
    async () => {
      const machine = await api.post('/v1/machines', {
        display_name: 'desktop',
        desktop_enabled: true,
      });
      expect(machine.status).toBe(200);
      const created = await api.post('/v1/runs', {
        machine_id: machine.body.machine.id,
        task: seedTask(),
        secrets: { email: 'hopper@example.net' },
      });
      const run = await api.waitForRun(created.body.id, undefined, runTimeoutMs);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      await expectField('hopper@example.net');
      const events = JSON.stringify(await eventsOf(api, run.id));
      expect(events).not.toContain('hopper@example.net');
    },
  );

  it(
    'runs a command in a desktop’s terminal, which works in the machine’s home',
    { timeout: 150_000 },
    async () => {
      const machine = await api.post('/v1/machines', {
        display_name: 'terminal',
        desktop_enabled: true,
      });
      const machineId = machine.body.machine.id as string;
      const created = await api.post('/v1/runs', {
        machine_id: machineId,
        task: 'Open the terminal, type "echo typed-by-agent > out.txt" and press Enter',
      });
      const run = await api.waitForRun(created.body.id, undefined, runTimeoutMs);
      expect(run.status, JSON.stringify(run)).toBe('succeeded');

      await vi.waitFor(
        async () => {
          const read = await api.post(`/v1/machines/${machineId}/files/read`, {
            parameters: { path: 'out.txt' },
          });
          expect(read.body.result?.content).toBe('typed-by-agent\n');
        },
        { timeout: 5_000 },
      );
    },
  );

  it(
    'ends a task it cannot do with the reason, not a loop to max_steps',
    { timeout: 120_000 },
    async () => {
      const created = await api.post('/v1/runs', {
        machine_id: await api.machine(),
        task: `Go to ${site.url}/ and check that "Order confirmed" is visible`,
      });
      const run = await api.waitForRun(created.body.id, undefined, runTimeoutMs);
      expect(run.status).toBe('failed');
      expect(run.error).toEqual({
        code: 'TASK_FAILED',
        message: '"Order confirmed" is not visible on the screen.',
      });
      expect(run.steps_completed).toBeLessThan(6);
    },
  );
});
