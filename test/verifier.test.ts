import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSignupSite } from '../src/cli/signup-site.js';
import type { SignupSite } from '../src/cli/signup-site.js';
import { Api } from './support/api.js';
import { TestServer } from './support/server.js';
import { eventsOf } from './support/suite.js';

const runTimeoutMs = 90_000;

describe('the v4 verifier with the local agent', () => {
  let server: TestServer;
  let site: SignupSite;
  let api: Api;

  beforeAll(async () => {
    site = await startSignupSite();
    server = await new TestServer({ store: 'sqlite' }).start();
    api = new Api(server.url, server.adminKey);
    await api.topUp(5000);
  });

  afterAll(async () => {
    await server?.stop();
    await site?.close();
  });

  const startRun = async (criteria: unknown[]) => {
    const created = await api.post('/v1/runs', {
      machine_id: await api.machine(),
      cua_version: 'v4',
      task: `Navigate to ${site.url}/ and click the Sign Up link`,
      success_criteria: criteria,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return api.waitForRun(created.body.id, undefined, runTimeoutMs);
  };

  it('puts the passing verdict and each check in the result', { timeout: 120_000 }, async () => {
    const run = await startRun([
      { type: 'url_matches', pattern: `${site.url}/signup` },
      { type: 'text_visible', text: 'CREATE YOUR ACCOUNT' },
      { type: 'command_output', command: 'echo "$HOME"', contains: '/home' },
      { type: 'file_exists', path: 'Downloads' },
    ]);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.result.verdict.passed).toBe(true);
    expect(run.result.verdict.checks.map((check: any) => [check.type, check.passed])).toEqual([
      ['url_matches', true],
      ['text_visible', true],
      ['command_output', true],
      ['file_exists', true],
    ]);
  });

  it(
    'gives a failed verdict back as feedback, then fails the run with it',
    { timeout: 120_000 },
    async () => {
      const run = await startRun([
        { type: 'text_visible', text: 'Welcome aboard' },
        { type: 'file_exists', path: 'signup.txt', contains: 'done' },
      ]);
      expect(run.status, JSON.stringify(run)).toBe('failed');
      expect(run.error).toMatchObject({ code: 'VERIFICATION_FAILED' });
      expect(run.error.message).toContain('"Welcome aboard" is not on the screen.');
      expect(run.result.verdict).toMatchObject({ passed: false });
      expect(run.result.verdict.checks.map((check: any) => check.passed)).toEqual([false, false]);

      const events = await eventsOf(api, run.id);
      const verdicts = events.filter((event) => event.data.tool === 'verifier');
      expect(verdicts).toHaveLength(3);
      // The agent read the verdict: its later claims answer the verifier's reason.
      const texts = events.filter((event) => event.type === 'step').map((event) => event.data.done);
      expect(texts.at(-1).summary).toContain('The verifier found the task not done yet');
    },
  );
});
