import { createApp } from '../app/index.js';
import type { ConfigInput } from '../config/index.js';
import { loadConfig } from '../config/index.js';

/** `deskhand serve`: runs the server until SIGINT or SIGTERM. */
export async function serve(environment: NodeJS.ProcessEnv, flags: Partial<ConfigInput>) {
  const config = loadConfig(environment, flags);
  const app = await createApp({ config });
  const { createdAdminKey, adminKeyFile } = app.bootstrap;
  if (createdAdminKey) {
    // Shown once, on the terminal only: log lines never carry keys.
    process.stderr.write(
      `\nAdmin key of this new installation (shown once, also saved in ${adminKeyFile}):\n` +
        `  ${createdAdminKey}\n\n`,
    );
  }

  const url = await app.start();
  process.stderr.write(`Deskhand is serving on ${url} (store: ${app.store.kind})\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
