import { allScopes } from '../contracts/index.js';
import type { Scope } from '../contracts/index.js';
import type { Clock, IdGenerator } from '../core/index.js';
import { AppError, notFound } from '../errors/index.js';
import { readJson, writeJson } from '../store/index.js';
import type { Store } from '../store/index.js';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key.js';

/** Who is calling: the organization the key belongs to and what it may do. */
export interface AuthContext {
  organizationId: string;
  keyId: string;
  scopes: ReadonlySet<Scope>;
}

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  name: string;
  keyPrefix: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiKey {
  key: string;
  record: ApiKeyRecord;
}

// Writing last_used_at on every request would turn each read into a write.
const lastUsedResolutionMs = 60_000;

export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async createOrganization(name: string): Promise<string> {
    const id = this.ids.prefixed('org', 8);
    const now = this.clock.now().toISOString();
    await this.store.db.insertInto('organizations').values({ id, name, created_at: now }).execute();
    return id;
  }

  async createKey(
    organizationId: string,
    name: string,
    scopes: Scope[],
    rawKey = generateApiKey(),
  ): Promise<CreatedApiKey> {
    const row = {
      id: this.ids.prefixed('key', 8),
      organization_id: organizationId,
      name,
      key_hash: hashApiKey(rawKey),
      key_prefix: displayPrefix(rawKey),
      scopes: writeJson(scopes),
      created_at: this.clock.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.db.insertInto('api_keys').values(row).execute();
    return { key: rawKey, record: toRecord(row) };
  }

  async listKeys(organizationId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  async revokeKey(auth: AuthContext, keyId: string): Promise<void> {
    if (keyId === auth.keyId) {
      throw new AppError('INVALID_STATE', 'A key cannot revoke itself; use another key.');
    }
    const result = await this.store.db
      .updateTable('api_keys')
      .set({ revoked_at: this.clock.now().toISOString() })
      .where('id', '=', keyId)
      .where('organization_id', '=', auth.organizationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw notFound('API key', keyId);
    }
  }

  /** The caller behind a raw key, or undefined for an unknown or revoked key. */
  async authenticate(rawKey: string): Promise<AuthContext | undefined> {
    const row = await this.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashApiKey(rawKey))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) {
      return undefined;
    }

    await this.touch(row.id, row.last_used_at);
    const scopes = readJson<string[]>(row.scopes, []).filter(isScope);
    return { organizationId: row.organization_id, keyId: row.id, scopes: new Set(scopes) };
  }

  async hasOrganizations(): Promise<boolean> {
    const row = await this.store.db.selectFrom('organizations').select('id').executeTakeFirst();
    return row !== undefined;
  }

  private async touch(keyId: string, lastUsedAt: string | null): Promise<void> {
    const now = this.clock.now();
    if (lastUsedAt && now.getTime() - Date.parse(lastUsedAt) < lastUsedResolutionMs) {
      return;
    }
    await this.store.db
      .updateTable('api_keys')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', keyId)
      .execute();
  }
}

function isScope(value: string): value is Scope {
  return (allScopes as readonly string[]).includes(value);
}

function toRecord(row: {
  id: string;
  organization_id: string;
  name: string;
  key_prefix: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
}): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    keyPrefix: row.key_prefix,
    scopes: readJson<string[]>(row.scopes, []).filter(isScope),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
