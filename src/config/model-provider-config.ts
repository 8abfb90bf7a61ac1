import { z } from 'zod';

/**
 * The model providers' part of the configuration. A provider with a key configured here is
 * offered to every run as a server model; a run may also bring its own key (X-LLM-Api-Key).
 */
export const modelProviderConfig = {
  /** ANTHROPIC_API_KEY: the server's Anthropic key; offers the `anthropic` model. */
  anthropicApiKey: z.string().min(1).optional(),
  /** ANTHROPIC_BASE_URL: the Messages API's base. Default https://api.anthropic.com. */
  anthropicBaseUrl: z.string().url().default('https://api.anthropic.com'),
  /** DESKHAND_ANTHROPIC_MODEL: the Claude model id. Default claude-sonnet-4-6. */
  anthropicModel: z.string().min(1).default('claude-sonnet-4-6'),
  /** DESKHAND_ANTHROPIC_TOOL_VERSION: 20250124 or 20251124; chosen by model id when unset. */
  anthropicToolVersion: z.enum(['20250124', '20251124']).optional(),
  /** OPENAI_API_KEY: the server's OpenAI key; offers the `openai` model. */
  openaiApiKey: z.string().min(1).optional(),
  /** OPENAI_BASE_URL: the Responses API's base. Default https://api.openai.com/v1. */
  openaiBaseUrl: z.string().url().default('https://api.openai.com/v1'),
  /** DESKHAND_OPENAI_MODEL: the computer-use model id. Default computer-use-preview. */
  openaiModel: z.string().min(1).default('computer-use-preview'),
  /** DESKHAND_COMPATIBLE_BASE_URL: an OpenAI-compatible chat endpoint serving a GUI model. */
  compatibleBaseUrl: z.string().url().optional(),
  /** DESKHAND_COMPATIBLE_API_KEY: its key, if it needs one. */
  compatibleApiKey: z.string().min(1).optional(),
  /** DESKHAND_COMPATIBLE_MODEL: the served model's name, e.g. ui-tars-1.5-7b. */
  compatibleModel: z.string().min(1).default('ui-tars-1.5-7b'),
  /** DESKHAND_COMPATIBLE_FORMAT: ui-tars or qwen; chosen by model name when unset. */
  compatibleFormat: z.enum(['ui-tars', 'qwen']).optional(),
  /** DESKHAND_COMPATIBLE_COORDINATES: resized-pixels or grid-1000; by model name when unset. */
  compatibleCoordinates: z.enum(['resized-pixels', 'grid-1000']).optional(),
  /** DESKHAND_MODEL_IMAGES_KEPT: screenshots shown per model request. Default 3. */
  modelImagesKept: z.coerce.number().int().min(1).max(50).default(3),
  /** DESKHAND_MODEL_MAX_ATTEMPTS: attempts per model call on 429, 529 and 5xx. Default 4. */
  modelMaxAttempts: z.coerce.number().int().min(1).max(10).default(4),
  /** DESKHAND_MODEL_BACKOFF_MS: the first retry's delay when none is named. Default 1000. */
  modelBackoffMs: z.coerce.number().int().min(0).default(1_000),
  /** DESKHAND_CREDENTIALS_KEY: 32 bytes in base64 that encrypt stored provider keys. */
  credentialsKey: z.string().min(40).optional(),
};

export const modelProviderEnvironment: Record<keyof typeof modelProviderConfig, string> = {
  anthropicApiKey: 'ANTHROPIC_API_KEY',
  anthropicBaseUrl: 'ANTHROPIC_BASE_URL',
  anthropicModel: 'DESKHAND_ANTHROPIC_MODEL',
  anthropicToolVersion: 'DESKHAND_ANTHROPIC_TOOL_VERSION',
  openaiApiKey: 'OPENAI_API_KEY',
  openaiBaseUrl: 'OPENAI_BASE_URL',
  openaiModel: 'DESKHAND_OPENAI_MODEL',
  compatibleBaseUrl: 'DESKHAND_COMPATIBLE_BASE_URL',
  compatibleApiKey: 'DESKHAND_COMPATIBLE_API_KEY',
  compatibleModel: 'DESKHAND_COMPATIBLE_MODEL',
  compatibleFormat: 'DESKHAND_COMPATIBLE_FORMAT',
  compatibleCoordinates: 'DESKHAND_COMPATIBLE_COORDINATES',
  modelImagesKept: 'DESKHAND_MODEL_IMAGES_KEPT',
  modelMaxAttempts: 'DESKHAND_MODEL_MAX_ATTEMPTS',
  modelBackoffMs: 'DESKHAND_MODEL_BACKOFF_MS',
  credentialsKey: 'DESKHAND_CREDENTIALS_KEY',
};
