import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { allScopes } from '../contracts/index.js';
import type { KeyService } from './key-service.js';

export interface BootstrapResult {
  /** The admin key made by this start, to be shown once; undefined when one existed. */
  createdAdminKey?: string;
  adminKeyFile: string;
}

/** Where the CLI finds the admin key of a data dir. */
export function adminKeyFile(dataDir: string): string {
  return join(dataDir, 'admin-key');
}

export function readAdminKey(dataDir: string): string | undefined {
  const file = adminKeyFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Gives a new installation its first organization and an admin key holding every scope.
 * The key comes from DESKHAND_ADMIN_KEY when set, else it is random; either way it is
 * written to the data dir, readable by its owner only.
 */
export async function bootstrapAdmin(
  keys: KeyService,
  dataDir: string,
  configuredKey?: string,
): Promise<BootstrapResult> {
  const file = adminKeyFile(dataDir);
  if (await keys.hasOrganizations()) {
    return { adminKeyFile: file };
  }

  const organizationId = await keys.createOrganization('default');
  const created = await keys.createKey(organizationId, 'admin', [...allScopes], configuredKey);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, created.key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { createdAdminKey: created.key, adminKeyFile: file };
}
