import { z } from 'zod';

import { Metadata, Uuid, limitParameter } from './common.js';

export const runStatuses = [
  'queued',
  'running',
  'awaiting_human',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export const RunStatus = z.enum(runStatuses);
export type RunStatus = z.infer<typeof RunStatus>;

/** The engine versions this server runs; the reference also names v1. */
export const supportedCuaVersions = ['v3', 'v4', 'v5'] as const;

export const LlmConfig = z
  .object({
    provider: z.enum(['managed', 'anthropic', 'openai']).default('managed'),
    model: z.string().min(1).max(512).nullable().optional(),
    grounding_model: z.string().min(1).max(512).nullable().optional(),
    compaction_model: z.string().min(1).max(512).nullable().optional(),
    code_agent_model: z.string().min(1).max(512).nullable().optional(),
  })
  .strict();

/** A check the v4/v5 verifier must see hold before a run may succeed. */
export const SuccessCriterion = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text_visible'), text: z.string().min(1).max(1000) }).strict(),
  z.object({ type: z.literal('url_matches'), pattern: z.string().min(1).max(2000) }).strict(),
  z
    .object({
      type: z.literal('file_exists'),
      path: z.string().min(1).max(4096),
      contains: z.string().max(10_000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('command_output'),
      command: z.string().min(1).max(4096),
      contains: z.string().max(10_000),
    })
    .strict(),
]);

const NamedValues = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(10_000))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 named values');

export const RunRequest = z
  .object({
    machine_id: z
      .string()
      .min(1)
      .max(128)
      .transform((value) => value.toLowerCase()),
    task: z.string().min(1).max(16_000),
    cua_version: z.string().max(16).default('v3'),
    instructions: z.string().max(16_000).nullable().optional(),
    system_prompt: z.string().max(32_000).nullable().optional(),
    model: z.string().min(1).max(512).nullable().optional(),
    max_steps: z.number().int().min(1).max(1000).default(200),
    deadline_seconds: z.number().int().min(1).max(86_400).nullable().optional(),
    on_awaiting_human: z.enum(['pause', 'fail', 'cancel']).default('pause'),
    awaiting_human_timeout_seconds: z.number().int().min(1).max(86_400).nullable().optional(),
    webhook_url: z.string().max(2048).nullable().optional(),
    metadata: Metadata.nullable().optional(),
    llm: LlmConfig.optional(),
    /** Named values the agent may type, such as `email`; echoed in the run. */
    variables: NamedValues.optional(),
    /** Like variables, but never echoed in responses, events or logs. */
    secrets: NamedValues.optional(),
    success_criteria: z.array(SuccessCriterion).max(20).optional(),
  })
  .strict();
export type RunRequest = z.infer<typeof RunRequest>;

export const RunResponse = z.object({
  id: z.string(),
  object: z.literal('agent.run'),
  status: RunStatus,
  machine_id: z.string(),
  task: z.string(),
  cua_version: z.string(),
  model: z.string(),
  instructions: z.string().nullable(),
  max_steps: z.number().int(),
  deadline_seconds: z.number().int(),
  on_awaiting_human: z.string(),
  awaiting_human_timeout_seconds: z.number().int().nullable(),
  steps_completed: z.number().int(),
  credits_charged: z.number().int(),
  cost_cents: z.number().int(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.record(z.string(), z.unknown()).nullable(),
  awaiting_human_reason: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  variables: z.record(z.string(), z.string()),
  llm: z.record(z.string(), z.unknown()).nullable(),
  webhook_url: z.string().nullable(),
  webhook_secret: z.string().nullable(),
  created_at: z.string().nullable(),
  started_at: z.string().nullable(),
  awaiting_human_since: z.string().nullable(),
  finished_at: z.string().nullable(),
  request_id: z.string().nullable(),
});
export type RunResponse = z.infer<typeof RunResponse>;

export const ListRunsQuery = z.object({
  status: RunStatus.optional(),
  limit: limitParameter(20),
  /** Cursor: the id of the last run of the previous page. */
  starting_after: Uuid.optional(),
});

export const ListRunsResponse = z.object({
  object: z.literal('list'),
  data: z.array(RunResponse),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
  request_id: z.string(),
});

export const RunIdParams = z.object({ run_id: Uuid });

export const ResumeRunRequest = z
  .object({ note: z.string().max(2000).nullable().optional() })
  .strict();

export const PauseRunRequest = z
  .object({ reason: z.string().max(2000).nullable().optional() })
  .strict();
