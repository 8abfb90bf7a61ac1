import { randomBytes } from 'node:crypto';

import type { Selectable } from 'kysely';

import type { Clock } from '../core/index.js';
import type { MachineRecord, ProvisionRequest } from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { readJson, writeJson } from '../store/index.js';
import type { Database } from '../store/index.js';
import type { MachineSpec } from './driver.js';

export type MachineRow = Selectable<Database['machines']>;

const defaultScreen = { width: 1280, height: 800 };

/** The row of a machine just requested: provisioning, with the request's defaults filled in. */
export function newMachineRow(
  organizationId: string,
  request: ProvisionRequest,
  id: string,
  clock: Clock,
): MachineRow {
  const now = clock.now().toISOString();
  return {
    id,
    organization_id: organizationId,
    display_name: request.display_name,
    status: 'provisioning',
    os_type: request.os_type,
    desktop_enabled: request.desktop_enabled ? 1 : 0,
    screen_width: defaultScreen.width,
    screen_height: defaultScreen.height,
    metadata: writeJson(request.metadata ?? {}),
    created_at: now,
    started_at: null,
    deleted_at: null,
    ttl_minutes: request.ttl_minutes ?? null,
    auto_destroy_at: leaseEnd(clock.now(), request.ttl_minutes ?? null),
    vnc_password: request.desktop_enabled ? newVncPassword() : null,
  };
}

export function refuseUnsupported(request: ProvisionRequest): void {
  if (request.os_type === 'windows') {
    throw new AppError(
      'VALIDATION_ERROR',
      'os_type windows is not offered by this server; use linux.',
      {
        details: { field: 'body.os_type', supported: ['linux'] },
      },
    );
  }
}

/** When a lease of `ttlMinutes` from `now` runs out; null for none (0 or null). */
export function leaseEnd(now: Date, ttlMinutes: number | null): string | null {
  return ttlMinutes ? new Date(now.getTime() + ttlMinutes * 60_000).toISOString() : null;
}

export function specOf(row: MachineRow): MachineSpec {
  return {
    id: row.id,
    desktopEnabled: row.desktop_enabled === 1,
    screenWidth: row.screen_width,
    screenHeight: row.screen_height,
    vncPassword: row.vnc_password ?? undefined,
  };
}

/**
 * VNC authentication reads only the first 8 characters of a password, so it gets 8 random
 * ones (48 bits); the port is on loopback only.
 */
function newVncPassword(): string {
  return randomBytes(6).toString('base64url');
}

export function toRecord(row: MachineRow): MachineRecord {
  return {
    id: row.id,
    display_name: row.display_name,
    status: row.status as MachineRecord['status'],
    os_type: row.os_type as MachineRecord['os_type'],
    desktop_enabled: row.desktop_enabled === 1,
    cpu_cores: 1,
    memory_gb: 2,
    storage_gb: 10,
    public_ip: null,
    is_test: false,
    created_at: row.created_at,
    started_at: row.started_at,
    auto_destroy_at: row.auto_destroy_at,
    ttl_minutes: row.ttl_minutes,
    metadata: readJson<Record<string, string>>(row.metadata, {}),
  };
}
