import { afterAll, beforeAll } from 'vitest';

import { Api } from './api.js';
import { ProviderServer } from './provider-server.js';
import { TestServer } from './server.js';
import type { StoreKind } from './server.js';

export interface ProviderSuite {
  server: TestServer;
  provider: ProviderServer;
  api: Api;
}

/**
 * Starts a fake model provider, then a server whose environment points at it (built by
 * `env` from the provider's URL), once for a describe block.
 */
export function useProviderServer(
  store: StoreKind,
  env: (providerUrl: string) => Record<string, string>,
): ProviderSuite {
  const suite = {} as ProviderSuite;
  beforeAll(async () => {
    suite.provider = await new ProviderServer().start();
    suite.server = new TestServer({
      store,
      env: { DESKHAND_MODEL_BACKOFF_MS: '30000', ...env(suite.provider.url) },
    });
    await suite.server.start();
    suite.api = new Api(suite.server.url, suite.server.adminKey);
    await suite.api.topUp(10_000);
  });
  afterAll(async () => {
    await suite.server?.stop();
    await suite.provider?.stop();
  });
  return suite;
}

/** A machine showing the provider's test page. */
export async function machineOnPage(suite: ProviderSuite): Promise<string> {
  const machineId = await suite.api.machine();
  const navigated = await suite.api.post(`/v1/machines/${machineId}/actions`, {
    command: 'browser_navigate',
    parameters: { url: suite.provider.pageUrl },
  });
  if (navigated.status !== 200) {
    throw new Error(`navigate failed: ${JSON.stringify(navigated.body)}`);
  }
  return machineId;
}
