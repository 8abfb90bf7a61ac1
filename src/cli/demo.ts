import { readFileSync } from 'node:fs';

import { createApp } from '../app/index.js';
import type { App } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { ApiClient } from './api-client.js';
import { DemoView } from './demo-view.js';
import { startSignupSite } from './signup-site.js';
import type { SignupSite } from './signup-site.js';

export interface DemoOptions {
  dataDir?: string;
  desktop?: boolean;
  /** The address the demo answers with when the agent asks for the email. */
  exampleEmail?: string;
}

interface RunBody {
  id: string;
  status: string;
  model: string;
  steps_completed: number;
  credits_charged: number;
  result: Record<string, unknown> | null;
  error: { code?: string; message?: string } | null;
}

const DEMO_TOP_UP_CENTS = 100;
const DEFAULT_EXAMPLE_EMAIL = 'demo@example.com';

/**
 * `deskhand demo`: a server, a sign-up site on loopback, a fresh machine and the seed task,
 * shown live. When the agent asks for the email, nobody may be at the keyboard, so the demo
 * answers with an example address itself and says so. Resolves with the run's status.
 */
export async function demo(
  environment: NodeJS.ProcessEnv,
  options: DemoOptions,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<string> {
  const site = await startSignupSite();
  let app: App | undefined;
  try {
    const config = loadConfig(environment, {
      port: 0,
      dataDir: options.dataDir,
      logLevel: environment.DESKHAND_LOG_LEVEL ? undefined : 'warn',
    });
    app = await createApp({ config });
    const url = await app.start();
    const client = new ApiClient(url, adminKeyOf(app));
    return await driveDemo(client, site, options, write, url, config.dataDir);
  } finally {
    await app?.stop();
    await site.close();
  }
}

async function driveDemo(
  client: ApiClient,
  site: SignupSite,
  options: DemoOptions,
  write: (line: string) => void,
  url: string,
  dataDir: string,
): Promise<string> {
  write(`Deskhand demo: a server on ${url}, a sign-up site on ${site.url}/ (127.0.0.1).`);
  await fundIfNeeded(client, write);
  const machine = await client.request<{ machine: { id: string } }>('POST', '/v1/machines', {
    display_name: 'demo',
    desktop_enabled: options.desktop === true,
  });
  const task = `Open Chrome, navigate to ${site.url}/, click the Sign Up link, and type your email`;
  const run = await client.request<RunBody>('POST', '/v1/runs', {
    machine_id: machine.machine.id,
    task,
    metadata: { source: 'deskhand demo' },
  });
  write(
    `Machine ${machine.machine.id} (${options.desktop ? 'desktop' : 'browser'}), ` +
      `model ${run.model}.`,
  );
  write(`Task: ${task}\n`);

  const view = new DemoView(write);
  const email = options.exampleEmail ?? DEFAULT_EXAMPLE_EMAIL;
  const resumes: Promise<unknown>[] = [];
  await client.follow(run.id, (event) => {
    view.show(event);
    if (event.type === 'awaiting_human') {
      write(`  Nobody is at the keyboard in a demo: resuming with the example address ${email}.`);
      resumes.push(client.request('POST', `/v1/runs/${run.id}/resume`, { note: `Use ${email}` }));
    }
  });
  await Promise.all(resumes);

  const ended = await client.request<RunBody>('GET', `/v1/runs/${run.id}`);
  writeResult(ended, site, write, dataDir);
  // The run and its events stay to be replayed; the machine's processes, user and home go.
  await client.request('DELETE', `/v1/machines/${machine.machine.id}`);
  return ended.status;
}

async function fundIfNeeded(client: ApiClient, write: (line: string) => void): Promise<void> {
  const wallet = await client.request<{ balance_credits?: number }>('GET', '/v1/wallet');
  if ((wallet.balance_credits ?? 0) < DEMO_TOP_UP_CENTS) {
    await client.request('POST', '/v1/wallet/top-ups', { amount_cents: DEMO_TOP_UP_CENTS });
    write(`Topped the wallet up with $${(DEMO_TOP_UP_CENTS / 100).toFixed(2)} for the demo.`);
  }
}

function writeResult(
  run: RunBody,
  site: SignupSite,
  write: (line: string) => void,
  dataDir: string,
): void {
  write('');
  write(
    `Run ${run.id} ${run.status} after ${run.steps_completed} steps, ` +
      `${run.credits_charged} credits ($${(run.credits_charged / 100).toFixed(2)}).`,
  );
  if (run.result) {
    write(`Result: ${JSON.stringify(run.result)}`);
  }
  if (run.error) {
    write(`Error: ${run.error.code}: ${run.error.message}`);
  }
  write(`The sign-up page's email field holds: ${site.fields.email ?? '(nothing)'}`);
  write(
    `Replay it: deskhand serve --data-dir ${dataDir}, then GET /v1/runs/${run.id}/events ` +
      `(or deskhand run … --follow for a new one).`,
  );
}

function adminKeyOf(app: App): string {
  return app.bootstrap.createdAdminKey ?? readFileSync(app.bootstrap.adminKeyFile, 'utf8').trim();
}
