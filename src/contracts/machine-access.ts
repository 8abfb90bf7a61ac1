import { z } from 'zod';

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
