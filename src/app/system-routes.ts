import { z } from 'zod';

import { HealthResponse } from '../contracts/index.js';
import { notFound } from '../errors/index.js';
import { buildOpenApiDocument, defineRoute } from '../http/index.js';
import type { AnyRoute, IdempotencyStore } from '../http/index.js';

const IdempotencyLookupResponse = z.object({
  status: z.enum(['completed', 'processing']),
  request_id: z.string(),
  result: z.unknown().nullable(),
  original_status: z.number().int().nullable(),
});

/** Health, the OpenAPI document and the idempotency lookup: the routes about the API itself. */
export function systemRoutes(
  allRoutes: () => AnyRoute[],
  idempotency: IdempotencyStore,
  version: string,
): AnyRoute[] {
  const health = (url: string, operationId: string) =>
    defineRoute({
      method: 'GET',
      url,
      operationId,
      summary: 'Whether the server is up; needs no key',
      tags: ['system'],
      scope: 'public',
      response: HealthResponse,
      handler: async () => ({
        body: { status: 'ok', api_version: 'v1', service: 'deskhand' },
      }),
    });

  return [
    health('/v1/health', 'health'),
    health('/healthz', 'healthz'),
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      operationId: 'openapi',
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['system'],
      scope: 'public',
      handler: async () => ({ body: buildOpenApiDocument(allRoutes(), version) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/idempotency/{key}',
      operationId: 'getIdempotencyResult',
      summary: 'Collect the result of an earlier request by its Idempotency-Key',
      tags: ['system'],
      scope: 'any',
      params: z.object({ key: z.string().min(1).max(128) }),
      response: IdempotencyLookupResponse,
      handler: async ({ auth, params, requestId }) => {
        const row = await idempotency.lookup(auth.organizationId, params.key);
        if (!row) {
          throw notFound('Idempotency-Key', params.key);
        }
        const completed = row.state === 'completed';
        return {
          body: {
            status: completed ? 'completed' : 'processing',
            request_id: requestId,
            result: completed && row.response_body ? JSON.parse(row.response_body) : null,
            original_status: completed ? row.response_status : null,
          },
        };
      },
    }),
  ];
}
