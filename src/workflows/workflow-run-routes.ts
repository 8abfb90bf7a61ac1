import {
  EventsQuery,
  ListWorkflowRunsQuery,
  ListWorkflowRunsResponse,
  ResumeWorkflowRunRequest,
  StartWorkflowRunRequest,
  WorkflowIdParams,
  WorkflowRunIdParams,
  WorkflowRunResponse,
} from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { answerEvents } from '../events/index.js';
import type { EventBus, EventLog } from '../events/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import { isTerminal, toWorkflowRunResponse } from './workflow-row.js';
import type { WorkflowRunRow } from './workflow-row.js';
import type { WorkflowRunService } from './workflow-run-service.js';
import type { WorkflowService } from './workflow-service.js';

export interface WorkflowRunRouteDeps {
  workflows: WorkflowService;
  runs: WorkflowRunService;
  events: EventLog;
  bus: EventBus;
  sseHeartbeatMs: number;
}

const tags = ['workflows'];

/** Workflow runs: start (saved or ad hoc), list, get, events, cancel, resume. */
export function workflowRunRoutes(deps: WorkflowRunRouteDeps): AnyRoute[] {
  return [...startRoutes(deps), ...readRoutes(deps), ...actionRoutes(deps)];
}

function started(row: WorkflowRunRow, requestId: string) {
  return { body: toWorkflowRunResponse(row, { requestId, includeWebhookSecret: true }) };
}

/** Refuses a run on the caller's own provider account, from the body or X-LLM-Provider. */
function refuseOwnProvider(body: StartWorkflowRunRequest, header: unknown): void {
  const provider = header ?? body.llm?.provider ?? 'managed';
  if (provider !== 'managed') {
    // LIMITATION: a workflow run cannot use the caller's provider key, as a run can; sealing it
    // for the workflow's life and handing it to each child run would lift it.
    throw new AppError(
      'LLM_PROVIDER_UNSUPPORTED',
      `Workflow runs on the caller's own '${String(provider)}' account are not offered.`,
      { details: { supported: ['managed'] } },
    );
  }
}

function startRoutes({ workflows, runs }: WorkflowRunRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/workflows/{workflow_id}/runs',
      operationId: 'startWorkflowRun',
      summary: 'Run a saved workflow',
      tags,
      scope: 'workflows:write',
      idempotent: true,
      params: WorkflowIdParams,
      body: StartWorkflowRunRequest,
      bodyOptional: true,
      response: WorkflowRunResponse,
      handler: async ({ auth, params, body, requestId, request }) => {
        refuseOwnProvider(body, request.headers['x-llm-provider']);
        const workflow = await workflows.get(auth.organizationId, params.workflow_id);
        return started(await runs.start(auth.organizationId, body, requestId, workflow), requestId);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/workflows/runs',
      operationId: 'startAdhocWorkflowRun',
      summary: 'Run an inline workflow definition without saving it',
      tags,
      scope: 'workflows:write',
      idempotent: true,
      body: StartWorkflowRunRequest,
      response: WorkflowRunResponse,
      handler: async ({ auth, body, requestId, request }) => {
        refuseOwnProvider(body, request.headers['x-llm-provider']);
        return started(await runs.start(auth.organizationId, body, requestId), requestId);
      },
    }),
  ];
}

function readRoutes(deps: WorkflowRunRouteDeps): AnyRoute[] {
  const { runs } = deps;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/runs',
      operationId: 'listWorkflowRuns',
      summary: 'List workflow runs, newest first, optionally of one workflow',
      tags,
      scope: 'workflows:read',
      query: ListWorkflowRunsQuery,
      response: ListWorkflowRunsResponse,
      handler: async ({ auth, query, requestId }) => {
        const rows = await runs.list(auth.organizationId, {
          workflowId: query.workflow_id,
          limit: query.limit + 1,
          startingAfter: query.starting_after,
        });
        const page = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        return {
          body: {
            object: 'list',
            data: page.map((row) => toWorkflowRunResponse(row, { requestId: null })),
            has_more: hasMore,
            next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/runs/{run_id}',
      operationId: 'getWorkflowRun',
      summary: 'Get a workflow run',
      tags,
      scope: 'workflows:read',
      params: WorkflowRunIdParams,
      response: WorkflowRunResponse,
      handler: async ({ auth, params, requestId }) => ({
        body: toWorkflowRunResponse(await runs.get(auth.organizationId, params.run_id), {
          requestId,
        }),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/runs/{run_id}/events',
      operationId: 'streamWorkflowRunEvents',
      summary: 'The workflow run’s events: an SSE stream, or a JSON page with ?format=json',
      tags,
      scope: 'workflows:read',
      params: WorkflowRunIdParams,
      query: EventsQuery,
      streamContentType: 'text/event-stream',
      handler: async ({ auth, params, query, request, reply, requestId }) => {
        const run = await runs.get(auth.organizationId, params.run_id);
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
    }),
  ];
}

function actionRoutes({ runs }: WorkflowRunRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/workflows/runs/{run_id}/cancel',
      operationId: 'cancelWorkflowRun',
      summary: 'Cancel a workflow run and every child run still going',
      tags,
      scope: 'workflows:write',
      params: WorkflowRunIdParams,
      response: WorkflowRunResponse,
      handler: async ({ auth, params, requestId }) => ({
        body: toWorkflowRunResponse(await runs.cancel(auth.organizationId, params.run_id), {
          requestId,
        }),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/workflows/runs/{run_id}/resume',
      operationId: 'resumeWorkflowRun',
      summary: 'Approve or reject the human_approval step a workflow run waits on',
      tags,
      scope: 'workflows:write',
      params: WorkflowRunIdParams,
      body: ResumeWorkflowRunRequest,
      bodyOptional: true,
      response: WorkflowRunResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const row = await runs.resume(
          auth.organizationId,
          params.run_id,
          body.approved,
          body.note ?? null,
        );
        return { body: toWorkflowRunResponse(row, { requestId }) };
      },
    }),
  ];
}
