import {
  ApiKeyResponse,
  CreateApiKeyRequest,
  CreateOrganizationRequest,
  KeyIdParams,
  ListApiKeysResponse,
  OrganizationResponse,
  RevokeApiKeyResponse,
  defaultScopes,
} from '../contracts/index.js';
import type { Scope } from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { KeyService } from './key-service.js';

export interface KeyRouteDeps {
  keys: KeyService;
  /** Gives a new organization its opening balance. */
  fundOrganization(organizationId: string, credits: number): Promise<number>;
  /** The wallet balance, sent as X-Credits-Remaining where the reference has it. */
  balance(organizationId: string): Promise<number>;
}

async function creditHeaders(deps: KeyRouteDeps, organizationId: string) {
  const remaining = await deps.balance(organizationId);
  return { 'X-Credits-Charged': '0', 'X-Credits-Remaining': String(remaining) };
}

export function keyRoutes(deps: KeyRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/keys',
      operationId: 'createApiKey',
      summary: 'Create an API key; the raw key is returned once',
      tags: ['keys'],
      scope: 'keys',
      body: CreateApiKeyRequest,
      response: ApiKeyResponse,
      handler: async ({ auth, body, requestId }) => {
        const scopes: Scope[] = body.scopes && body.scopes.length > 0 ? body.scopes : defaultScopes;
        const beyond = scopes.filter((scope) => !auth.scopes.has(scope));
        if (beyond.length > 0) {
          throw new AppError(
            'INSUFFICIENT_SCOPE',
            `A key cannot grant scopes it does not hold: ${beyond.join(', ')}.`,
          );
        }
        const created = await deps.keys.createKey(auth.organizationId, body.name, scopes);
        return {
          headers: await creditHeaders(deps, auth.organizationId),
          body: {
            key: created.key,
            key_id: created.record.id,
            name: created.record.name,
            tier: 'enterprise',
            scopes: created.record.scopes,
            created_at: created.record.createdAt,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/keys',
      operationId: 'listApiKeys',
      summary: 'List the organization’s API keys (prefixes only)',
      tags: ['keys'],
      scope: 'keys',
      response: ListApiKeysResponse,
      handler: async ({ auth, requestId }) => {
        const records = await deps.keys.listKeys(auth.organizationId);
        return {
          headers: await creditHeaders(deps, auth.organizationId),
          body: {
            keys: records.map((record) => ({
              key_id: record.id,
              name: record.name,
              tier: 'enterprise',
              scopes: record.scopes,
              created_at: record.createdAt,
              last_used_at: record.lastUsedAt,
              key_prefix: record.keyPrefix,
            })),
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/keys/{key_id}',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      tags: ['keys'],
      scope: 'keys',
      params: KeyIdParams,
      response: RevokeApiKeyResponse,
      handler: async ({ auth, params, requestId }) => {
        await deps.keys.revokeKey(auth, params.key_id);
        return {
          headers: await creditHeaders(deps, auth.organizationId),
          body: { status: 'ok', key_id: params.key_id, request_id: requestId },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/organizations',
      operationId: 'createOrganization',
      summary: 'Create an organization and its first key (operators only)',
      tags: ['keys'],
      scope: 'admin',
      idempotent: true,
      body: CreateOrganizationRequest,
      response: OrganizationResponse,
      handler: async ({ body, requestId }) => {
        const organizationId = await deps.keys.createOrganization(body.name);
        const firstKeyScopes: Scope[] = [...defaultScopes, 'keys'];
        const created = await deps.keys.createKey(organizationId, 'first key', firstKeyScopes);
        const balance = await deps.fundOrganization(organizationId, body.initial_credits);
        return {
          body: {
            object: 'organization',
            id: organizationId,
            name: body.name,
            api_key: created.key,
            balance_credits: balance,
            request_id: requestId,
          },
        };
      },
    }),
  ];
}
