import { z } from 'zod';

import { Uuid, limitParameter } from './common.js';

export const machineStatuses = [
  'creating',
  'provisioning',
  'starting',
  'running',
  'stopping',
  'stopped',
  'restarting',
  'suspended',
  'deleting',
  'terminated',
  'error',
] as const;

export const ProvisionRequest = z
  .object({
    display_name: z.string().min(1).max(64),
    os_type: z.enum(['linux', 'windows']).default('linux'),
    desktop_enabled: z.boolean().default(false),
    cpu_cores: z.number().int().min(1).max(16).nullable().optional(),
    memory_gb: z.number().int().min(1).max(64).nullable().optional(),
    storage_gb: z.number().int().min(8).max(500).nullable().optional(),
    restore_from_snapshot: z.boolean().nullable().optional(),
    ttl_minutes: z.number().int().min(5).max(10_080).nullable().optional(),
    metadata: z
      .record(z.string().max(64), z.string().max(256))
      .refine((value) => Object.keys(value).length <= 16, 'metadata holds at most 16 entries')
      .optional(),
  })
  .strict();
export type ProvisionRequest = z.infer<typeof ProvisionRequest>;

export const MachineRecord = z.object({
  id: z.string(),
  display_name: z.string(),
  status: z.enum(machineStatuses),
  os_type: z.enum(['linux', 'windows']),
  desktop_enabled: z.boolean(),
  cpu_cores: z.number().int(),
  memory_gb: z.number(),
  storage_gb: z.number().int(),
  public_ip: z.string().nullable(),
  is_test: z.boolean(),
  created_at: z.string().nullable(),
  started_at: z.string().nullable(),
  auto_destroy_at: z.string().nullable(),
  ttl_minutes: z.number().int().nullable(),
  metadata: z.record(z.string(), z.string()),
});
export type MachineRecord = z.infer<typeof MachineRecord>;

export const ConnectionDetailsRedacted = z.object({
  public_ip: z.string().nullable(),
  ssh_port: z.number().int().nullable(),
  ssh_username: z.string().nullable(),
  vnc_port: z.number().int().nullable(),
  websocket_port: z.number().int().nullable(),
  has_ssh_key: z.boolean(),
  has_vnc_password: z.boolean(),
});

export const ProvisionResponse = z.object({
  machine: MachineRecord,
  connection: ConnectionDetailsRedacted,
  request_id: z.string(),
});

export const GetMachineResponse = z.object({ machine: MachineRecord, request_id: z.string() });

export const ListMachinesQuery = z.object({
  limit: limitParameter(50),
  /** Cursor: the id of the last machine of the previous page (`next_cursor`). */
  starting_after: Uuid.optional(),
});

export const ListMachinesResponse = z.object({
  data: z.array(MachineRecord),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});

export const MachineIdParams = z.object({ machine_id: Uuid });

export const LifecycleResponse = z.object({
  machine_id: z.string(),
  status: z.string(),
  message: z.string(),
  request_id: z.string(),
});

export const UpdateMachineRequest = z
  .object({
    /** 0 clears the lease; 5–10080 deletes the machine that many minutes from now. */
    ttl_minutes: z
      .number()
      .int()
      .min(0)
      .max(10_080)
      .refine((value) => value === 0 || value >= 5, 'ttl_minutes is 0 or between 5 and 10080'),
  })
  .strict();

export const UpdateMachineResponse = z.object({
  machine_id: z.string(),
  ttl_minutes: z.number().int().nullable(),
  auto_destroy_at: z.string().nullable(),
  request_id: z.string(),
});
