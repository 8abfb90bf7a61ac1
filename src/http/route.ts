import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import type { AuthContext } from '../auth/index.js';
import type { Scope } from '../contracts/index.js';

type AnySchema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a handler receives: validated input, the caller, and the raw request for streaming. */
export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  auth: AuthContext;
  requestId: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A handler's answer: a JSON body, with a status and headers when they are not 200 and none. */
export interface RouteResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * One operation of the API. The same definition validates requests, drives the handler and
 * writes the OpenAPI document, so the three cannot drift apart.
 */
export interface RouteDefinition<
  B extends AnySchema | undefined = AnySchema | undefined,
  Q extends AnySchema | undefined = AnySchema | undefined,
  P extends AnySchema | undefined = AnySchema | undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** The scope a key needs; `any` takes any valid key, `public` routes need none at all. */
  scope: Scope | 'any' | 'public';
  body?: B;
  /** Whether a request may omit its body entirely (treated as `{}`). */
  bodyOptional?: boolean;
  query?: Q;
  params?: P;
  /** Schema of the 200 body; streaming routes document theirs in `streamContentType`. */
  response?: AnySchema;
  streamContentType?: string;
  /** Reserve-and-replay with the Idempotency-Key header. */
  idempotent?: boolean;
  handler(context: RouteContext<Infer<B>, Infer<Q>, Infer<P>>): Promise<RouteResult | 'streamed'>;
}

export type AnyRoute = RouteDefinition<
  AnySchema | undefined,
  AnySchema | undefined,
  AnySchema | undefined
>;

export function defineRoute<
  B extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  P extends AnySchema | undefined = undefined,
>(definition: RouteDefinition<B, Q, P>): AnyRoute {
  return definition as unknown as AnyRoute;
}
