// Test helpers only: tsconfig.build.json keeps test-kit files out of the package.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { createApp } from './create-app.js';
import type { App, AppDeps } from './create-app.js';

export interface InProcessApp {
  app: App;
  /** Calls the API with the admin key; answers status and parsed body. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** The whole app in this process, on a free loopback port and a fresh SQLite data dir. */
export async function startInProcess(deps: Omit<AppDeps, 'config'> = {}): Promise<InProcessApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-app-'));
  const config = loadConfig({}, { port: 0, dataDir });
  const app = await createApp({ config, logger: createLogger({ level: 'silent' }), ...deps });
  const url = await app.start();
  const key = app.bootstrap.createdAdminKey ?? '';

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(url + path, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  return { app, call };
}
