import { describe, expect, it } from 'vitest';

import { planTask } from './task-plan.js';

describe('planTask', () => {
  it('splits the seed task into open, navigate, click and type steps', () => {
    const task =
      'Open Chrome, navigate to http://127.0.0.1:3000/start, click the Sign Up link, ' +
      'and type your email';
    expect(planTask(task)).toEqual([
      { kind: 'open', app: 'browser' },
      { kind: 'navigate', url: 'http://127.0.0.1:3000/start' },
      { kind: 'click', target: 'Sign Up', roles: ['link'] },
      { kind: 'type', valueName: 'email', into: undefined },
    ]);
  });

  it('keeps quoted text whole and reads fields, keys, checks and hosts without a scheme', () => {
    const task =
      'Go to signup.localhost:8080/a, then click "SIGN UP, now" and type "a, b" into the Email ' +
      'field and press Enter. Check that Welcome back is visible';
    expect(planTask(task)).toEqual([
      { kind: 'navigate', url: 'https://signup.localhost:8080/a' },
      { kind: 'click', target: 'SIGN UP, now', roles: [] },
      { kind: 'type', text: 'a, b', into: 'Email' },
      { kind: 'key', keys: 'Enter' },
      { kind: 'check', text: 'Welcome back' },
    ]);
  });

  it('reads applications, scrolling, waits and key combos, and marks what it cannot read', () => {
    expect(
      planTask('Open the terminal; scroll down and wait 2 seconds, then press ctrl+s'),
    ).toEqual([
      { kind: 'open', app: 'terminal' },
      { kind: 'scroll', direction: 'down' },
      { kind: 'wait', ms: 2000 },
      { kind: 'key', keys: 'ctrl+s' },
    ]);
    expect(planTask('Dance a jig')).toEqual([{ kind: 'unknown', text: 'Dance a jig' }]);
  });
});
