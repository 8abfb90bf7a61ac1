import { z } from 'zod';

import { Metadata, Uuid, limitParameter } from './common.js';
import { LlmConfig, RunStatus } from './runs.js';

/** The language version of definitions this server reads. */
export const dslVersion = '2026-06-01';

const JsonObject = z.record(z.string(), z.unknown());

/** A definition as the wire carries it; its steps are checked by the workflow validator. */
export const WorkflowDefinition = JsonObject;

export const WorkflowCreateRequest = z
  .object({
    name: z.string().min(1).max(128),
    slug: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -'),
    definition: WorkflowDefinition,
    inputs_schema: JsonObject.nullable().optional(),
    description: z.string().max(2000).nullable().optional(),
    metadata: Metadata.nullable().optional(),
  })
  .strict();
export type WorkflowCreateRequest = z.infer<typeof WorkflowCreateRequest>;

export const WorkflowUpdateRequest = z
  .object({
    name: z.string().min(1).max(128).optional(),
    definition: WorkflowDefinition.optional(),
    inputs_schema: JsonObject.nullable().optional(),
    description: z.string().max(2000).nullable().optional(),
    status: z.enum(['active', 'archived']).nullable().optional(),
    metadata: Metadata.nullable().optional(),
  })
  .strict();
export type WorkflowUpdateRequest = z.infer<typeof WorkflowUpdateRequest>;

export const WorkflowResponse = z.object({
  id: z.string(),
  object: z.literal('workflow'),
  name: z.string(),
  slug: z.string(),
  version: z.number().int(),
  dsl_version: z.string(),
  definition: JsonObject,
  inputs_schema: JsonObject.nullable(),
  description: z.string().nullable(),
  status: z.enum(['active', 'archived']),
  metadata: JsonObject.nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  request_id: z.string().nullable(),
});
export type WorkflowResponse = z.infer<typeof WorkflowResponse>;

export const ListWorkflowsQuery = z.object({
  limit: limitParameter(20),
  /** Cursor: the id of the last workflow of the previous page. */
  starting_after: Uuid.optional(),
});

export const ListWorkflowsResponse = z.object({
  object: z.literal('list'),
  data: z.array(WorkflowResponse),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});

export const WorkflowDeleteResponse = z.object({
  id: z.string(),
  object: z.literal('workflow'),
  deleted: z.literal(true),
  request_id: z.string(),
});

export const WorkflowIdParams = z.object({ workflow_id: Uuid });

export const StartWorkflowRunRequest = z
  .object({
    inputs: JsonObject.nullable().optional(),
    machine_id: z
      .string()
      .min(1)
      .max(128)
      .transform((value) => value.toLowerCase())
      .nullable()
      .optional(),
    budget_cents: z.number().int().min(0).max(10_000_000).nullable().optional(),
    max_iterations: z.number().int().min(1).max(100_000).nullable().optional(),
    deadline_seconds: z.number().int().min(1).max(86_400).nullable().optional(),
    webhook_url: z.string().max(2048).nullable().optional(),
    metadata: Metadata.nullable().optional(),
    definition: WorkflowDefinition.nullable().optional(),
    inputs_schema: JsonObject.nullable().optional(),
    llm: LlmConfig.optional(),
  })
  .strict();
export type StartWorkflowRunRequest = z.infer<typeof StartWorkflowRunRequest>;

export const WorkflowRunResponse = z.object({
  id: z.string(),
  object: z.literal('workflow.run'),
  status: RunStatus,
  workflow_id: z.string().nullable(),
  workflow_version: z.number().int().nullable(),
  machine_id: z.string().nullable(),
  inputs: JsonObject,
  output: JsonObject.nullable(),
  error: JsonObject.nullable(),
  awaiting_human_reason: z.string().nullable(),
  awaiting_step_id: z.string().nullable(),
  iterations_used: z.number().int(),
  max_iterations: z.number().int().nullable(),
  spent_cents: z.number().int(),
  budget_cents: z.number().int().nullable(),
  deadline_seconds: z.number().int().nullable(),
  webhook_url: z.string().nullable(),
  webhook_secret: z.string().nullable(),
  metadata: JsonObject.nullable(),
  created_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  request_id: z.string().nullable(),
});
export type WorkflowRunResponse = z.infer<typeof WorkflowRunResponse>;

export const ListWorkflowRunsQuery = z.object({
  workflow_id: Uuid.optional(),
  limit: limitParameter(20),
  starting_after: Uuid.optional(),
});

export const ListWorkflowRunsResponse = z.object({
  object: z.literal('list'),
  data: z.array(WorkflowRunResponse),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});

export const WorkflowRunIdParams = z.object({ run_id: Uuid });

export const ResumeWorkflowRunRequest = z
  .object({
    approved: z.boolean().default(true),
    note: z.string().max(2000).nullable().optional(),
  })
  .strict();
