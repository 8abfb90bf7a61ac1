import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const cliPath = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

function runDemo(dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'demo', '--data-dir', dataDir], {
      // No model endpoint or key in the environment: the demo must fall back to `local`.
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('deskhand demo', () => {
  it(
    'runs the seed task with no key, answers its own question and ends succeeded',
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'deskhand-demo-'));
      try {
        const { code, output } = await runDemo(dataDir);
        expect(output).toContain('model local');
        expect(output).toMatch(/The agent asks: What email should I type\?/);
        expect(output).toContain('resuming with the example address demo@example.com');
        expect(output).toMatch(/step \d+ {2}click at \(\d+, \d+\)/);
        expect(output).toMatch(/Run [0-9a-f-]+ succeeded after \d+ steps, \d+ credits/);
        expect(output).toContain("The sign-up page's email field holds: demo@example.com");
        expect(code, output).toBe(0);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
