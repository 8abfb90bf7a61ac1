import { rm } from 'node:fs/promises';

import { afterAll, beforeAll } from 'vitest';

import { AgentServer } from './agent-server.js';
import { Api } from './api.js';
import { TestServer } from './server.js';
import type { StoreKind } from './server.js';

export interface Suite {
  server: TestServer;
  agent: AgentServer;
  /** The admin's client. */
  api: Api;
}

/**
 * Starts an agent and a server that uses it as its default model, once for a describe block,
 * and stops both after it. The returned object is filled in by `beforeAll`.
 */
export function useServer(store: StoreKind, env: Record<string, string> = {}): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.agent = await new AgentServer().start();
    // Assigned before it starts, so a server that fails to start is still cleaned up.
    suite.server = new TestServer({
      store,
      env: { DESKHAND_HTTP_MODEL_URL: suite.agent.url, ...env },
    });
    await suite.server.start();
    suite.api = new Api(suite.server.url, suite.server.adminKey);
  });
  afterAll(async () => {
    await suite.server?.stop();
    await suite.agent?.stop();
    // A data dir that is gone lets the next server start remove its machines' Unix users.
    if (suite.server !== undefined) {
      await rm(suite.server.dataDir, { recursive: true, force: true });
    }
  });
  return suite;
}

/** Reads a run's events as one JSON page. */
export async function eventsOf(api: Api, runId: string, after = 0): Promise<any[]> {
  const response = await api.get(`/v1/runs/${runId}/events?format=json&after=${after}&limit=1000`);
  return response.body.data;
}
