import {
  ListWorkflowsQuery,
  ListWorkflowsResponse,
  WorkflowCreateRequest,
  WorkflowDeleteResponse,
  WorkflowIdParams,
  WorkflowResponse,
  WorkflowUpdateRequest,
} from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import { toWorkflowResponse } from './workflow-row.js';
import type { WorkflowService } from './workflow-service.js';

const tags = ['workflows'];

/** Saved workflows: create, list, get, update (a new version) and archive. */
export function workflowRoutes(workflows: WorkflowService): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/workflows',
      operationId: 'createWorkflow',
      summary: 'Save a workflow: a definition of steps, validated on create',
      tags,
      scope: 'workflows:write',
      idempotent: true,
      body: WorkflowCreateRequest,
      response: WorkflowResponse,
      handler: async ({ auth, body, requestId }) => ({
        body: toWorkflowResponse(
          await workflows.create(auth.organizationId, body, requestId),
          requestId,
        ),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/workflows',
      operationId: 'listWorkflows',
      summary: 'List saved workflows, newest first',
      tags,
      scope: 'workflows:read',
      query: ListWorkflowsQuery,
      response: ListWorkflowsResponse,
      handler: async ({ auth, query, requestId }) => {
        const rows = await workflows.list(auth.organizationId, {
          limit: query.limit + 1,
          startingAfter: query.starting_after,
        });
        const page = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        return {
          body: {
            object: 'list',
            data: page.map((row) => toWorkflowResponse(row, null)),
            has_more: hasMore,
            next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/workflows/{workflow_id}',
      operationId: 'getWorkflow',
      summary: 'Get a saved workflow',
      tags,
      scope: 'workflows:read',
      params: WorkflowIdParams,
      response: WorkflowResponse,
      handler: async ({ auth, params, requestId }) => ({
        body: toWorkflowResponse(
          await workflows.get(auth.organizationId, params.workflow_id),
          requestId,
        ),
      }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/workflows/{workflow_id}',
      operationId: 'updateWorkflow',
      summary: 'Update a saved workflow; its version goes up by one',
      tags,
      scope: 'workflows:write',
      params: WorkflowIdParams,
      body: WorkflowUpdateRequest,
      response: WorkflowResponse,
      handler: async ({ auth, params, body, requestId }) => ({
        body: toWorkflowResponse(
          await workflows.update(auth.organizationId, params.workflow_id, body),
          requestId,
        ),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/workflows/{workflow_id}',
      operationId: 'deleteWorkflow',
      summary: 'Archive a saved workflow; it and its runs stay readable',
      tags,
      scope: 'workflows:write',
      params: WorkflowIdParams,
      response: WorkflowDeleteResponse,
      handler: async ({ auth, params, requestId }) => {
        const row = await workflows.archive(auth.organizationId, params.workflow_id);
        return {
          body: { id: row.id, object: 'workflow', deleted: true, request_id: requestId },
        };
      },
    }),
  ];
}
