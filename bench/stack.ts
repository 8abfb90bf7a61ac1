import { AgentServer } from '../test/support/agent-server.js';
import { Api } from '../test/support/api.js';
import { TestServer } from '../test/support/server.js';
import type { StoreKind } from '../test/support/server.js';

/** One `deskhand serve` process on loopback, the HTTP model it calls, and an admin client. */
export interface Stack {
  store: StoreKind;
  server: TestServer;
  agent: AgentServer;
  api: Api;
}

/**
 * Starts a server on `store` (its own data dir, its own PostgreSQL schema) with a loopback
 * model, hands it to `work`, and stops both afterwards, also when `work` throws.
 */
export async function withStack<T>(
  store: StoreKind,
  work: (stack: Stack) => Promise<T>,
): Promise<T> {
  const agent = await new AgentServer().start();
  const server = new TestServer({ store, env: { DESKHAND_HTTP_MODEL_URL: agent.url } });
  try {
    await server.start();
    const api = new Api(server.url, server.adminKey);
    await api.topUp(10_000_000);
    return await work({ store, server, agent, api });
  } finally {
    await server.stop();
    await agent.stop();
  }
}

/** A unique task, so each measurement gets its own model script. */
export function taskName(label: string): string {
  return `bench ${label} ${Math.random().toString(36).slice(2, 10)}`;
}
