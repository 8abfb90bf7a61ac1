import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { Workspaces } from '../../machines/index.js';
import type { Machine } from '../../machines/index.js';
import { ScriptedModel } from '../../models/index.js';
import { Verifier, urlMatches } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'verifier-'));
const workspaces = new Workspaces(root);
afterAll(async () => {
  await workspaces.closeAll();
  rmSync(root, { recursive: true, force: true });
});

const machine: Machine = {
  id: 'machine-1',
  observe: async () => ({
    screenshot: { format: 'png', data: Buffer.from('png'), width: 10, height: 10 },
    url: 'http://shop.localhost:8080/orders/42?ok=1',
    settled: true,
  }),
  act: async () => ({ ok: true }),
};

describe('the verifier', () => {
  it('reads URL patterns as the URL itself, a glob or a /regular expression/', () => {
    const url = 'http://shop.localhost:8080/orders/42';
    expect(urlMatches('http://shop.localhost:8080/orders/42/', url)).toBe(true);
    expect(urlMatches('http://shop.localhost:8080/orders/*', url)).toBe(true);
    expect(urlMatches('/orders\\/\\d+$/', url)).toBe(true);
    expect(urlMatches('http://shop.localhost:8080/orders', url)).toBe(false);
    expect(urlMatches('/(unclosed/', url)).toBe(false);
  });

  it('fails the verdict when the judge model says the task is not done', async () => {
    const judge = new ScriptedModel('vision', () => ({
      actions: [],
      done: { success: false, summary: 'The order page shows an error.' },
    }));
    const verifier = new Verifier({
      workspaces,
      readScreenText: async () => [],
      judge: () => judge,
    });
    const verdict = await verifier.verify({
      runId: 'run-1',
      task: 'Place the order',
      machine,
      criteria: [
        { type: 'url_matches', pattern: '*/orders/*' },
        { type: 'file_exists', path: 'receipt.txt' },
      ],
      signal: new AbortController().signal,
    });
    expect(verdict.passed).toBe(false);
    expect(verdict.checks.map((check) => [check.type, check.passed])).toEqual([
      ['url_matches', true],
      ['file_exists', false],
      ['model_judgement', false],
    ]);
    expect(verdict.reason).toBe('receipt.txt does not exist. The order page shows an error.');
    expect(judge.calls[0]?.task).toContain('Place the order');
  });
});
