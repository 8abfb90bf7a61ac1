import { z } from 'zod';

import { Uuid, limitParameter } from './common.js';

/** The optional body of a snapshot request; the reference sends none. */
export const SnapshotRequest = z
  .object({
    /** A name for the snapshot. Default: the machine's display name and the time. */
    name: z.string().min(1).max(128).optional(),
  })
  .strict();

export const SnapshotResponse = z.object({
  machine_id: z.string(),
  snapshot_id: z.string(),
  name: z.string(),
  created_at: z.string(),
  credits_charged: z.number().int(),
  request_id: z.string(),
});

/** The connection details with their secrets; `Cache-Control: no-store`. */
export const ConnectionDetailsFull = z.object({
  machine_id: z.string(),
  public_ip: z.string().nullable(),
  ssh_port: z.number().int().nullable(),
  ssh_username: z.string().nullable(),
  ssh_private_key_pem: z.string().nullable(),
  /** The VNC server's port on the server's loopback interface. */
  vnc_port: z.number().int().nullable(),
  vnc_password: z.string().nullable(),
  websocket_port: z.number().int().nullable(),
  websocket_url: z.string().nullable(),
  devtools_url: z.string().nullable(),
  vnc_url: z.string().nullable(),
  screen_width: z.number().int().nullable(),
  screen_height: z.number().int().nullable(),
  request_id: z.string(),
});

export const MachinePricingResponse = z.object({
  /** The rate card: runtime rates, one-time charges, granularity, funds behaviour, TTL bounds. */
  pricing: z.record(z.string(), z.unknown()),
  request_id: z.string(),
});

/** A snapshot id as this server makes them. */
export const SnapshotId = z.string().regex(/^snap_[0-9a-f]{24}$/, 'a snapshot id (snap_…)');

export const SnapshotIdParams = z.object({ snapshot_id: SnapshotId });

/** One snapshot as `GET /v1/snapshots` lists it (an extension of this server). */
export const SnapshotRecord = z.object({
  id: z.string(),
  object: z.literal('machine.snapshot'),
  machine_id: z.string(),
  name: z.string(),
  /** `creating` while its files are copied, then `ready` or `failed` (its fee refunded). */
  status: z.enum(['creating', 'ready', 'failed']),
  desktop_enabled: z.boolean(),
  size_bytes: z.number().int().nullable(),
  credits_charged: z.number().int(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
export type SnapshotRecord = z.infer<typeof SnapshotRecord>;

export const ListSnapshotsQuery = z.object({
  limit: limitParameter(50),
  /** Only the snapshots of this machine. */
  machine_id: Uuid.optional(),
  /** Cursor: the id of the last snapshot of the previous page (`next_cursor`). */
  starting_after: SnapshotId.optional(),
});

export const ListSnapshotsResponse = z.object({
  data: z.array(SnapshotRecord),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});

export const DeleteSnapshotResponse = z.object({
  snapshot_id: z.string(),
  deleted: z.literal(true),
  request_id: z.string(),
});
