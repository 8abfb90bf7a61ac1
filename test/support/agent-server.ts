import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the engine sent for one step (the `deskhand.agent/1` request body). */
export interface AgentRequest {
  run_id: string;
  step: number;
  task: string;
  human_note: string | null;
  history: Array<{ step: number }>;
  observation: {
    screenshot: { width: number; height: number; base64: string };
    url: string | null;
  };
  [field: string]: unknown;
}

export type AgentScript = (request: AgentRequest) => unknown | Promise<unknown>;

/**
 * A model served over HTTP for tests, speaking the `deskhand.agent/1` protocol on loopback.
 * Each run's script is chosen by the run's task, so one agent serves a whole test file.
 */
export class AgentServer {
  readonly requests: Array<AgentRequest & { receivedAt: number }> = [];
  private readonly scripts = new Map<string, AgentScript>();
  private server: Server | undefined;
  url = '';

  /** Answers requests whose task is `task` with `script`. */
  on(task: string, script: AgentScript): void {
    this.scripts.set(task, script);
  }

  requestsFor(runId: string) {
    return this.requests.filter((request) => request.run_id === runId);
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        void this.answer(JSON.parse(body) as AgentRequest).then(
          (decision) => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(JSON.stringify(decision));
          },
          (error: unknown) => {
            response.writeHead(500, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ error: String(error) }));
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/decide`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async answer(request: AgentRequest): Promise<unknown> {
    this.requests.push({ ...request, receivedAt: Date.now() });
    const script = this.scripts.get(request.task);
    if (!script) {
      return { actions: [], done: { success: false, summary: `no script for '${request.task}'` } };
    }
    return script(request);
  }
}

/** A script that waits `ms` and then answers with a wait action, never finishing. */
export function endless(ms = 0): AgentScript {
  return async () => {
    if (ms > 0) {
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    return { actions: [{ type: 'wait', ms: 1 }] };
  };
}

/** A promise with its resolve, to hold a script until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
