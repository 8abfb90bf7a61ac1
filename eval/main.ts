import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import { createApp } from '../src/app/index.js';
import { ApiClient } from '../src/cli/api-client.js';
import { loadConfig } from '../src/config/index.js';
import { screenTextOf, tesseractReader } from '../src/models/index.js';
import { serveDirectory } from './static-site.js';
import type { StaticSite } from './static-site.js';
import { evalTasks, manualDir } from './tasks.js';
import type { EvalTask } from './tasks.js';

interface Outcome {
  model: string;
  task: string;
  software: string;
  status: string;
  passed: boolean;
  steps: number;
  seconds: number;
  seen: string;
}

interface RunBody {
  id: string;
  status: string;
  steps_completed: number;
  error: { code?: string; message?: string } | null;
}

const runTimeoutMs = 240_000;
const resultsFile = join(import.meta.dirname, '..', '..', 'docs', 'eval-results.md');

/**
 * DESKHAND_EVAL_MODELS (comma-separated) when set; else the local model, and a provider's
 * model when its key or endpoint is set.
 */
function modelsToTry(environment: NodeJS.ProcessEnv): string[] {
  const named = environment.DESKHAND_EVAL_MODELS?.split(',').map((name) => name.trim());
  if (named?.length) {
    return named.filter((name) => name !== '');
  }
  const models = ['local'];
  const providers: Array<[string, string | undefined]> = [
    ['anthropic', environment.ANTHROPIC_API_KEY],
    ['openai', environment.OPENAI_API_KEY],
    ['http', environment.DESKHAND_HTTP_MODEL_URL],
  ];
  for (const [name, key] of providers) {
    if (key) {
      models.push(name);
    }
  }
  return models;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskhand-eval-'));
  const manual = await serveDirectory(manualDir);
  const config = loadConfig(process.env, { port: 0, dataDir, logLevel: 'warn' });
  const app = await createApp({ config });
  const outcomes: Outcome[] = [];
  try {
    const client = new ApiClient(await app.start(), app.bootstrap.createdAdminKey ?? '');
    await client.request('POST', '/v1/wallet/top-ups', { amount_cents: 100_000 });
    for (const model of modelsToTry(process.env)) {
      for (const task of evalTasks()) {
        const outcome = await runOne(client, model, task, manual);
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
        outcomes.push(outcome);
      }
    }
  } finally {
    await app.stop();
    await manual.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const report = reportOf(outcomes);
  writeFileSync(resultsFile, report);
  process.stdout.write(`\n${report}`);
}

async function runOne(
  client: ApiClient,
  model: string,
  task: EvalTask,
  manual: StaticSite,
): Promise<Outcome> {
  const base = { model, task: task.name, software: task.software };
  const machine = await client.request<{ machine: { id: string } }>('POST', '/v1/machines', {
    display_name: `eval ${task.name}`,
    desktop_enabled: task.desktop,
  });
  const machineId = machine.machine.id;
  const startedMs = Date.now();
  try {
    const created = await client.request<RunBody>('POST', '/v1/runs', {
      machine_id: machineId,
      task: task.task(manual),
      model,
      max_steps: 25,
      deadline_seconds: 200,
      // A question ends the run: an unattended eval has nobody to answer it.
      on_awaiting_human: 'fail',
    });
    const run = await waitForEnd(client, created.id);
    const seconds = Math.round((Date.now() - startedMs) / 100) / 10;
    const { passed, seen } = await task.check({
      manual,
      screenText: () => readScreen(client, machineId),
    });
    const why = run.error ? ` (${run.error.code}: ${run.error.message})` : '';
    const status = run.status;
    return { ...base, status, passed, steps: run.steps_completed, seconds, seen: seen + why };
  } catch (error) {
    const seen = error instanceof Error ? error.message : String(error);
    return { ...base, status: 'error', passed: false, steps: 0, seconds: 0, seen };
  } finally {
    await client.request('DELETE', `/v1/machines/${machineId}`).catch(() => undefined);
    await task.cleanUp?.();
  }
}

async function waitForEnd(client: ApiClient, runId: string): Promise<RunBody> {
  const deadline = Date.now() + runTimeoutMs;
  for (;;) {
    const run = await client.request<RunBody>('GET', `/v1/runs/${runId}`);
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status)) {
      return run;
    }
    if (Date.now() > deadline) {
      await client.request('POST', `/v1/runs/${runId}/cancel`);
      return { ...run, status: 'cancelled' };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function readScreen(client: ApiClient, machineId: string): Promise<string> {
  const shot = await client.request<{ image_b64: string }>(
    'GET',
    `/v1/machines/${machineId}/screenshot`,
  );
  const lines = await tesseractReader()(
    Buffer.from(shot.image_b64, 'base64'),
    AbortSignal.timeout(60_000),
  );
  return screenTextOf(lines);
}

function reportOf(outcomes: Outcome[]): string {
  const lines = [
    '# Evaluation on real software',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node.js ${process.version}.`,
    'Produced by `npm run eval`; each task runs on a fresh machine and its end state is checked',
    'by the harness itself (the page the browser loaded, the file written, the screen shown).',
    '',
  ];
  for (const model of [...new Set(outcomes.map((outcome) => outcome.model))]) {
    const mine = outcomes.filter((outcome) => outcome.model === model);
    const passed = mine.filter((outcome) => outcome.passed).length;
    lines.push(`## ${model}: ${passed} of ${mine.length} passed`, '');
    lines.push('| task | software | run status | end state | steps | seconds | seen |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const outcome of mine) {
      const verdict = outcome.passed ? 'pass' : 'FAIL';
      const seen = outcome.seen.replace(/\|/g, '\\|').replace(/\n/g, ' ');
      lines.push(
        `| ${outcome.task} | ${outcome.software} | ${outcome.status} | ${verdict} | ` +
          `${outcome.steps} | ${outcome.seconds} | ${seen} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`eval failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
