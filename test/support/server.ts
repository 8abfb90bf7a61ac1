import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

const cliPath = join(packageRoot(import.meta.dirname), 'dist', 'cli', 'main.js');
export const postgresUrl =
  process.env.DESKHAND_TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

/** The stores the suite runs against: both, unless DESKHAND_TEST_STORES names fewer. */
export const testStores: StoreKind[] = (process.env.DESKHAND_TEST_STORES ?? 'sqlite,postgres')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is StoreKind => name === 'sqlite' || name === 'postgres');

export interface ServerOptions {
  store: StoreKind;
  env?: Record<string, string>;
}

/**
 * A real `deskhand serve` process on a free loopback port, with its own data dir (and its own
 * PostgreSQL schema), that a test can kill with any signal and start again on the same data.
 */
export class TestServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'deskhand-test-'));
  readonly schema = `t_${randomBytes(6).toString('hex')}`;
  url = '';
  adminKey = '';
  output = '';
  private child: ChildProcess | undefined;

  constructor(private readonly options: ServerOptions) {}

  async start(): Promise<this> {
    const args = [cliPath, 'serve', '--port', '0', '--data-dir', this.dataDir];
    const child = spawn(process.execPath, args, {
      env: this.environment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        this.output += chunk.toString();
        const match = /serving on (http:\/\/[^\s]+)/.exec(stderr);
        if (match?.[1]) {
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
    });
    this.adminKey = readFileSync(join(this.dataDir, 'admin-key'), 'utf8').trim();
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills the process (SIGKILL by default: no clean-up of any kind) and waits for its end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    if (this.options.store === 'postgres') {
      await dropSchema(this.schema);
    }
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DESKHAND_LOG_LEVEL: 'warn',
      DESKHAND_WEBHOOK_ALLOW_PRIVATE: 'true',
      DESKHAND_WEBHOOK_BACKOFF_MS: '100',
      DESKHAND_SSE_HEARTBEAT_MS: '200',
      ...this.options.env,
    };
    if (this.options.store === 'postgres') {
      env.DATABASE_URL = postgresUrl;
      env.DESKHAND_DATABASE_SCHEMA = this.schema;
    }
    return env;
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The folder of the project's package.json, from wherever this file was compiled to. */
function packageRoot(from: string): string {
  for (let folder = from; folder !== dirname(folder); folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'src'))) {
      return folder;
    }
  }
  throw new Error(`No package root above ${from}`);
}
