import { homedir } from 'node:os';
import { join } from 'node:path';

import { z } from 'zod';

import { modelProviderConfig, modelProviderEnvironment } from './model-provider-config.js';

/**
 * Where data lives unless told: `/var/lib/deskhand` for root, whose own home is closed to the
 * machine users that must reach their homes inside the data dir; `~/.deskhand` for anyone else.
 */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/deskhand' : join(homedir(), '.deskhand');
}

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

/**
 * The server's configuration, read once from the environment and the command line.
 * Each field names its environment variable and default.
 */
export const ConfigSchema = z.object({
  /** `--host`, DESKHAND_HOST. Default 127.0.0.1. */
  host: z.string().default('127.0.0.1'),
  /** `--port`, DESKHAND_PORT. 0 picks a free port. Default 8080. */
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  /**
   * `--data-dir`, DESKHAND_DATA_DIR: the SQLite file, admin key file and machine homes.
   * Default `/var/lib/deskhand` for root, else `~/.deskhand`.
   */
  dataDir: z.string().default(defaultDataDir),
  /** DATABASE_URL: a postgres:// URL stores everything in PostgreSQL instead of SQLite. */
  databaseUrl: z.string().url().optional(),
  /** DESKHAND_DATABASE_SCHEMA: the PostgreSQL schema to use. Default public. */
  databaseSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('public'),
  /** DESKHAND_ADMIN_KEY: the admin key a new data dir gets instead of a random one. */
  adminKey: z.string().min(20).max(200).optional(),
  /** DESKHAND_LOG_LEVEL. Default info. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** DESKHAND_STEP_PRICE_CREDITS: what one completed agent step costs. Default 5 ($0.05). */
  stepPriceCredits: z.coerce.number().int().min(0).max(1_000_000).default(5),
  /** DESKHAND_SNAPSHOT_CREDITS: the one-time fee of a machine snapshot. Default 10. */
  snapshotPriceCredits: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** DESKHAND_WORKERS: runs driven at once by this server. Default 8. */
  workers: z.coerce.number().int().min(1).max(256).default(8),
  /** DESKHAND_DEFAULT_MODEL: the model of a run that names none. */
  defaultModel: z.string().optional(),
  /** DESKHAND_VERIFIER_MODEL: a vision model that judges the final screen of v4/v5 runs. */
  verifierModel: z.string().optional(),
  /** DESKHAND_HTTP_MODEL_URL: an agent served over HTTP (see docs/model-protocol.md). */
  httpModelUrl: z.string().url().optional(),
  /** DESKHAND_MODEL_TIMEOUT_MS: the longest one model call may take. Default 120000. */
  modelTimeoutMs: z.coerce.number().int().min(100).default(120_000),
  /** DESKHAND_WEBHOOK_ALLOW_PRIVATE: deliver to loopback and private addresses. Default no. */
  webhookAllowPrivate: booleanFlag.default(false),
  /** DESKHAND_WEBHOOK_MAX_ATTEMPTS. Default 8. */
  webhookMaxAttempts: z.coerce.number().int().min(1).max(50).default(8),
  /** DESKHAND_WEBHOOK_BACKOFF_MS: the first retry's delay; each retry doubles it. Default 2000. */
  webhookBackoffMs: z.coerce.number().int().min(1).default(2_000),
  /** DESKHAND_WEBHOOK_TIMEOUT_MS: how long one delivery attempt may take. Default 10000. */
  webhookTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  /** DESKHAND_SSE_HEARTBEAT_MS: the interval of `: heartbeat` comments. Default 15000. */
  sseHeartbeatMs: z.coerce.number().int().min(50).default(15_000),
  /** DESKHAND_IDEMPOTENCY_WAIT_MS: how long a retry waits for its in-flight original. */
  idempotencyWaitMs: z.coerce.number().int().min(0).max(60_000).default(10_000),
  /** DESKHAND_CHROMIUM_PATH: the browser binary machines use. */
  chromiumPath: z.string().default('/usr/lib/chromium/chromium'),
  /** DESKHAND_BODY_LIMIT_BYTES: the largest request body accepted. Default 1 MiB. */
  bodyLimitBytes: z.coerce.number().int().min(1024).default(1_048_576),
  ...modelProviderConfig,
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

const environmentNames: Record<keyof Config, string> = {
  host: 'DESKHAND_HOST',
  port: 'DESKHAND_PORT',
  dataDir: 'DESKHAND_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'DESKHAND_DATABASE_SCHEMA',
  adminKey: 'DESKHAND_ADMIN_KEY',
  logLevel: 'DESKHAND_LOG_LEVEL',
  stepPriceCredits: 'DESKHAND_STEP_PRICE_CREDITS',
  snapshotPriceCredits: 'DESKHAND_SNAPSHOT_CREDITS',
  workers: 'DESKHAND_WORKERS',
  defaultModel: 'DESKHAND_DEFAULT_MODEL',
  httpModelUrl: 'DESKHAND_HTTP_MODEL_URL',
  verifierModel: 'DESKHAND_VERIFIER_MODEL',
  modelTimeoutMs: 'DESKHAND_MODEL_TIMEOUT_MS',
  webhookAllowPrivate: 'DESKHAND_WEBHOOK_ALLOW_PRIVATE',
  webhookMaxAttempts: 'DESKHAND_WEBHOOK_MAX_ATTEMPTS',
  webhookBackoffMs: 'DESKHAND_WEBHOOK_BACKOFF_MS',
  webhookTimeoutMs: 'DESKHAND_WEBHOOK_TIMEOUT_MS',
  sseHeartbeatMs: 'DESKHAND_SSE_HEARTBEAT_MS',
  idempotencyWaitMs: 'DESKHAND_IDEMPOTENCY_WAIT_MS',
  chromiumPath: 'DESKHAND_CHROMIUM_PATH',
  bodyLimitBytes: 'DESKHAND_BODY_LIMIT_BYTES',
  ...modelProviderEnvironment,
};

/**
 * Builds the configuration from an environment and explicit overrides (command-line flags win).
 * Throws with every invalid variable named.
 */
export function loadConfig(
  environment: NodeJS.ProcessEnv,
  overrides: Partial<ConfigInput> = {},
): Config {
  const fromEnvironment: Record<string, string> = {};
  for (const [field, name] of Object.entries(environmentNames)) {
    const value = environment[name];
    if (value !== undefined && value !== '') {
      fromEnvironment[field] = value;
    }
  }

  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  );
  const parsed = ConfigSchema.safeParse({ ...fromEnvironment, ...defined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0]) as keyof Config;
      return `${environmentNames[field] ?? field}: ${issue.message}`;
    });
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
