import { pino } from 'pino';
import type { Logger } from 'pino';

/** Paths that never reach a log line: keys, auth headers, cookies and secrets. */
const redactedPaths = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-llm-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.secret',
  '*.secrets',
  '*.webhook_secret',
  '*.webhookSecret',
  '*.screenshot',
];

export interface LoggerOptions {
  level: string;
  /** Where lines go; standard output by default. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'deskhand' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}

export type { Logger };
