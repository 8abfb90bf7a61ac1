import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import type { AuthContext, KeyService } from '../auth/index.js';
import type { IdGenerator } from '../core/index.js';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { sendError } from './error-reply.js';
import type { IdempotencyStore } from './idempotency.js';
import { answerClientError, holdsNul } from './raw-input.js';
import type { AnyRoute, RouteResult } from './route.js';

export interface HttpServerDeps {
  logger: Logger;
  ids: IdGenerator;
  keys: KeyService;
  idempotency: IdempotencyStore;
  bodyLimitBytes: number;
  routes: AnyRoute[];
}

const quietPaths = new Set(['/v1/health', '/healthz']);
const publicAuth: AuthContext = { organizationId: '', keyId: '', scopes: new Set() };

/** Builds the Fastify server for a list of routes, with the API's conventions around them. */
export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request is written by the onResponse hook below, health checks skipped.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => deps.ids.prefixed('req'),
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // SSE streams never end by themselves; closing must not wait for them.
    forceCloseConnections: true,
    // Idempotency keys of up to 128 characters travel in the path of their lookup.
    routerOptions: { maxParamLength: 256 },
    // Errors raised before routing (a malformed URL, an overlong parameter) get the envelope too.
    frameworkErrors: (error, request, reply) => {
      void reply.header('X-Coasty-Request-Id', request.id);
      sendError(request, reply, error);
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Coasty-Request-Id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!quietPaths.has(request.url)) {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        'request',
      );
    }
  });
  // Bodies are JSON only; without this, text/plain would reach validation as a string.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body is no body: clients send the header on body-less POSTs like cancel.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body.toString(), done);
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError(
        'ROUTE_NOT_FOUND',
        `No operation ${request.method} ${request.url.split('?')[0]}.`,
      ),
    ),
  );

  for (const route of deps.routes) {
    app.route({
      method: route.method,
      url: route.url.replace(/\{(\w+)\}/g, ':$1'),
      handler: (request, reply) => handle(deps, route, request, reply),
    });
  }
  return app;
}

async function handle(
  deps: HttpServerDeps,
  route: AnyRoute,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const auth =
    route.scope === 'public' ? publicAuth : await authenticate(deps.keys, request, reply, route);
  const params = validate(route.params, request.params, 'path');
  const query = validate(route.query, request.query, 'query');
  const rawBody = request.body ?? (route.bodyOptional ? {} : undefined);
  const body = validate(route.body, rawBody, 'body');

  const context = { body, query, params, auth, requestId: request.id, request, reply };
  const execute = () => route.handler(context) as Promise<RouteResult>;
  const key = request.headers['idempotency-key'];
  const result =
    route.idempotent && typeof key === 'string'
      ? await deps.idempotency.run(auth.organizationId, key, route.operationId, rawBody, execute)
      : await route.handler(context);

  if (result === 'streamed') {
    return reply;
  }
  return reply
    .status(result.status ?? 200)
    .headers(result.headers ?? {})
    .send(result.body);
}

async function authenticate(
  keys: KeyService,
  request: FastifyRequest,
  reply: FastifyReply,
  route: AnyRoute,
): Promise<AuthContext> {
  const rawKey = presentedKey(request);
  if (!rawKey) {
    throw new AppError('INVALID_API_KEY', 'Send an API key in X-API-Key or Authorization: Bearer.');
  }
  const auth = await keys.authenticate(rawKey);
  if (!auth) {
    throw new AppError('INVALID_API_KEY', 'The API key is invalid or has been revoked.');
  }
  if (route.scope !== 'any' && route.scope !== 'public' && !auth.scopes.has(route.scope)) {
    throw new AppError('INSUFFICIENT_SCOPE', `This operation needs the '${route.scope}' scope.`, {
      details: { required_scope: route.scope },
    });
  }
  request.log = request.log.child({ organization_id: auth.organizationId, key_id: auth.keyId });
  // Every key of this server is a live key: there is no separate sandbox namespace.
  void reply.header('X-Coasty-Key-Kind', 'live');
  return auth;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.trim() !== '') {
    return header.trim();
  }
  const authorization = request.headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim();
}

function validate(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) {
    return undefined;
  }
  if (value === undefined && where === 'body' && !schema.safeParse(undefined).success) {
    throw new AppError('VALIDATION_ERROR', 'body: a JSON object is required.');
  }
  if (holdsNul(value)) {
    // PostgreSQL text cannot hold U+0000, and no field of this API needs it.
    throw new AppError('VALIDATION_ERROR', `${where}: text must not contain NUL characters.`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    return parsed.data;
  }
  const issues = parsed.error.issues.flatMap((issue) => {
    const path = [where, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ field: path.join('.'), message: issue.message }];
  });
  const first = issues[0];
  const message = first ? `${first.field}: ${first.message}` : `Invalid ${where}.`;
  throw new AppError('VALIDATION_ERROR', message, { details: { issues } });
}
