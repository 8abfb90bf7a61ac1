import { readAdminKey } from '../auth/index.js';
import { defaultDataDir } from '../config/index.js';
import { ApiClient } from './api-client.js';
import type { StreamedEvent } from './api-client.js';

export interface ClientOptions {
  url?: string;
  apiKey?: string;
  dataDir?: string;
}

/** A client of a running server: flags, else DESKHAND_URL / DESKHAND_API_KEY, else the data dir. */
export function clientFrom(options: ClientOptions, environment: NodeJS.ProcessEnv): ApiClient {
  const url = options.url ?? environment.DESKHAND_URL ?? 'http://127.0.0.1:8080';
  const dataDir = options.dataDir ?? environment.DESKHAND_DATA_DIR ?? defaultDataDir();
  const apiKey = options.apiKey ?? environment.DESKHAND_API_KEY ?? readAdminKey(dataDir);
  if (!apiKey) {
    throw new Error('No API key: pass --api-key, set DESKHAND_API_KEY, or run on the server host.');
  }
  return new ApiClient(url, apiKey);
}

export function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export interface RunOptions {
  machine?: string;
  follow?: boolean;
  model?: string;
  maxSteps?: string;
}

/** `deskhand run`: starts a run (on a new machine unless one is named) and maybe follows it. */
export async function runTask(client: ApiClient, task: string, options: RunOptions) {
  const machineId = options.machine ?? (await newMachine(client));
  const run = await client.request<{ id: string; status: string }>('POST', '/v1/runs', {
    machine_id: machineId,
    task,
    ...(options.model ? { model: options.model } : {}),
    ...(options.maxSteps ? { max_steps: Number(options.maxSteps) } : {}),
  });
  if (!options.follow) {
    print(run);
    return;
  }

  process.stderr.write(`run ${run.id} on machine ${machineId}\n`);
  await client.follow(run.id, (event) => process.stderr.write(describe(event) + '\n'));
  print(await client.request('GET', `/v1/runs/${run.id}`));
}

async function newMachine(client: ApiClient): Promise<string> {
  const created = await client.request<{ machine: { id: string } }>('POST', '/v1/machines', {
    display_name: 'cli',
  });
  return created.machine.id;
}

function describe(event: StreamedEvent): string {
  const { data } = event;
  switch (event.type) {
    case 'status':
      return `#${event.seq} status ${String(data.status)}`;
    case 'tool_call':
      return `#${event.seq} action (step ${String(data.step)}) ${JSON.stringify(data.action)}`;
    case 'awaiting_human':
      return (
        `#${event.seq} waiting for a human: ${String(data.reason)}\n` +
        '   (resume it with POST /v1/runs/<id>/resume {"note": "..."}; this view keeps following)'
      );
    case 'billing':
      return `#${event.seq} billing ${String(data.credits)} (${String(data.balance_after)} left)`;
    default:
      return `#${event.seq} ${event.type} ${JSON.stringify(data)}`;
  }
}
