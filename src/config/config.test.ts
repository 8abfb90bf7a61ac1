import { describe, expect, it } from 'vitest';

import { loadConfig } from './config.js';

describe('the configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      stepPriceCredits: 5,
      webhookAllowPrivate: false,
      databaseSchema: 'public',
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads the environment, and lets flags win over it', () => {
    const config = loadConfig(
      {
        DESKHAND_PORT: '9000',
        DESKHAND_WEBHOOK_ALLOW_PRIVATE: 'true',
        DATABASE_URL: 'postgres://x/y',
      },
      { port: 9100 },
    );
    expect(config.port).toBe(9100);
    expect(config.webhookAllowPrivate).toBe(true);
    expect(config.databaseUrl).toBe('postgres://x/y');
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ DESKHAND_PORT: 'abc', DESKHAND_WORKERS: '0' })).toThrow(
      /DESKHAND_PORT[\s\S]*DESKHAND_WORKERS/,
    );
  });
});
