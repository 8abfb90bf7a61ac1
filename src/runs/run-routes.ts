import {
  EventsQuery,
  ListRunsQuery,
  ListRunsResponse,
  PauseRunRequest,
  ResumeRunRequest,
  RunIdParams,
  RunRequest,
  RunResponse,
} from '../contracts/index.js';
import type { EventBus, EventLog } from '../events/index.js';
import { answerEvents } from '../events/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import { isTerminal, toRunResponse } from './run-row.js';
import type { RunService } from './run-service.js';

export interface RunRouteDeps {
  runs: RunService;
  events: EventLog;
  bus: EventBus;
  sseHeartbeatMs: number;
}

export function runRoutes(deps: RunRouteDeps): AnyRoute[] {
  return [createRun(deps), listRuns(deps), getRun(deps), ...runActions(deps), runEvents(deps)];
}

function createRun({ runs }: RunRouteDeps): AnyRoute {
  return defineRoute({
    method: 'POST',
    url: '/v1/runs',
    operationId: 'createRun',
    summary: 'Start a run: an agent drives the task to completion on the machine',
    tags: ['runs'],
    scope: 'runs:write',
    idempotent: true,
    body: RunRequest,
    response: RunResponse,
    handler: async ({ auth, body, requestId, request }) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const byok = {
        provider: header('x-llm-provider'),
        apiKey: header('x-llm-api-key'),
        model: header('x-llm-model'),
      };
      const row = await runs.create(auth.organizationId, body, requestId, byok);
      return {
        headers: { 'X-Credits-Charged': '0' },
        body: toRunResponse(row, { requestId, includeWebhookSecret: true }),
      };
    },
  });
}

function listRuns({ runs }: RunRouteDeps): AnyRoute {
  return defineRoute({
    method: 'GET',
    url: '/v1/runs',
    operationId: 'listRuns',
    summary: 'List runs, newest first',
    tags: ['runs'],
    scope: 'runs:read',
    query: ListRunsQuery,
    response: ListRunsResponse,
    handler: async ({ auth, query, requestId }) => {
      const rows = await runs.list(auth.organizationId, {
        status: query.status,
        limit: query.limit + 1,
        startingAfter: query.starting_after,
      });
      const page = rows.slice(0, query.limit);
      const hasMore = rows.length > query.limit;
      return {
        body: {
          object: 'list',
          data: page.map((row) => toRunResponse(row, { requestId: null })),
          has_more: hasMore,
          next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
          request_id: requestId,
        },
      };
    },
  });
}

function getRun({ runs }: RunRouteDeps): AnyRoute {
  return defineRoute({
    method: 'GET',
    url: '/v1/runs/{run_id}',
    operationId: 'getRun',
    summary: 'Get a run',
    tags: ['runs'],
    scope: 'runs:read',
    params: RunIdParams,
    response: RunResponse,
    handler: async ({ auth, params, requestId }) => ({
      body: toRunResponse(await runs.get(auth.organizationId, params.run_id), { requestId }),
    }),
  });
}

function runActions({ runs }: RunRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/runs/{run_id}/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a run; cancelling an ended run changes nothing',
      tags: ['runs'],
      scope: 'runs:write',
      params: RunIdParams,
      response: RunResponse,
      handler: async ({ auth, params, requestId }) => ({
        body: toRunResponse(await runs.cancel(auth.organizationId, params.run_id), { requestId }),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/runs/{run_id}/resume',
      operationId: 'resumeRun',
      summary: 'Resume a run that waits for a human, with their note',
      tags: ['runs'],
      scope: 'runs:write',
      params: RunIdParams,
      body: ResumeRunRequest,
      bodyOptional: true,
      response: RunResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const row = await runs.resume(auth.organizationId, params.run_id, body.note ?? null);
        return { body: toRunResponse(row, { requestId }) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/runs/{run_id}/pause',
      operationId: 'pauseRun',
      summary: 'Pause a run so a human can take over; resume hands it back',
      tags: ['runs'],
      scope: 'runs:write',
      params: RunIdParams,
      body: PauseRunRequest,
      bodyOptional: true,
      response: RunResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const row = await runs.pause(auth.organizationId, params.run_id, body.reason ?? null);
        return { body: toRunResponse(row, { requestId }) };
      },
    }),
  ];
}

function runEvents(deps: RunRouteDeps): AnyRoute {
  return defineRoute({
    method: 'GET',
    url: '/v1/runs/{run_id}/events',
    operationId: 'streamRunEvents',
    summary: 'The run’s events: an SSE stream, or a JSON page with ?format=json',
    tags: ['runs'],
    scope: 'runs:read',
    params: RunIdParams,
    query: EventsQuery,
    streamContentType: 'text/event-stream',
    handler: async ({ auth, params, query, request, reply, requestId }) => {
      const run = await deps.runs.get(auth.organizationId, params.run_id);
      return answerEvents({
        request,
        reply,
        query,
        requestId,
        log: deps.events,
        bus: deps.bus,
        heartbeatMs: deps.sseHeartbeatMs,
        streamId: run.id,
        ended: isTerminal(run.status),
      });
    },
  });
}
