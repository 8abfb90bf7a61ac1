import { z } from 'zod';

import { ErrorEnvelope } from '../contracts/index.js';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersOf(route: AnyRoute): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) {
      continue;
    }
    const json = schemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({ name, in: location, required: required.has(name), schema: property });
    }
  }
  if (route.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', maxLength: 128 },
    });
  }
  return parameters;
}

function operationOf(route: AnyRoute): JsonSchema {
  const success = route.streamContentType
    ? {
        description: 'A stream.',
        content: { [route.streamContentType]: { schema: { type: 'string' } } },
      }
    : {
        description: 'Success.',
        content: {
          'application/json': { schema: route.response ? schemaOf(route.response, 'output') : {} },
        },
      };
  const error = {
    description: 'An error envelope.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
  };
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    security: route.scope === 'public' ? [] : [{ apiKey: [] }, { bearerAuth: [] }],
    'x-required-scope': route.scope === 'public' || route.scope === 'any' ? null : route.scope,
    parameters: parametersOf(route),
    ...(route.body
      ? {
          requestBody: {
            required: !route.bodyOptional,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses: { '200': success, default: error },
  };
}

/** The OpenAPI 3.1 document of the routes, generated from the same schemas that validate. */
export function buildOpenApiDocument(routes: AnyRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.url] ??= {};
    paths[route.url]![route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Deskhand API', version },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { ErrorEnvelope: schemaOf(ErrorEnvelope, 'output') },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearerAuth: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
