#!/usr/bin/env node
import { Command } from 'commander';

import { demo } from './demo.js';
import { serve } from './serve.js';
import { clientFrom, print, runTask } from './client-commands.js';
import type { ClientOptions, RunOptions } from './client-commands.js';

const environment = process.env;
const program = new Command('deskhand').description('Self-hostable computer-use agents');

program
  .command('serve')
  .description('Start the server')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port to listen on (default 8080)')
  .option(
    '--data-dir <dir>',
    'where data lives (default /var/lib/deskhand for root, else ~/.deskhand)',
  )
  .action((flags: { host?: string; port?: string; dataDir?: string }) =>
    serve(environment, { host: flags.host, port: flags.port, dataDir: flags.dataDir }),
  );

program
  .command('demo')
  .description('Run the seed task end to end on a fresh machine against a local sign-up site')
  .option(
    '--data-dir <dir>',
    'where data lives (default /var/lib/deskhand for root, else ~/.deskhand)',
  )
  .option('--desktop', 'use a desktop machine instead of a browser one')
  .option('--example-email <address>', 'what to answer when the agent asks for the email')
  .action(async (flags: { dataDir?: string; desktop?: boolean; exampleEmail?: string }) => {
    const status = await demo(environment, flags);
    process.exitCode = status === 'succeeded' ? 0 : 1;
  });

function withClient(command: Command): Command {
  return command
    .option('--url <url>', 'server URL (DESKHAND_URL, default http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (DESKHAND_API_KEY, default the data dir’s admin key)')
    .option('--data-dir <dir>', 'data dir holding the admin key');
}

withClient(program.command('run <task>'))
  .description('Run a task on a machine (a new one unless --machine is given)')
  .option('--machine <id>', 'the machine to drive')
  .option('--model <name>', 'the model to drive it with')
  .option('--max-steps <n>', 'step limit')
  .option('--follow', 'stream the run’s events until it ends')
  .action((task: string, options: ClientOptions & RunOptions) =>
    runTask(clientFrom(options, environment), task, options),
  );

const keys = program.command('keys').description('Manage API keys');
withClient(keys.command('create <name>'))
  .option('--scopes <list>', 'comma-separated scopes')
  .action(async (name: string, options: ClientOptions & { scopes?: string }) => {
    const scopes = options.scopes?.split(',').map((scope) => scope.trim());
    print(await clientFrom(options, environment).request('POST', '/v1/keys', { name, scopes }));
  });
withClient(keys.command('list')).action(async (options: ClientOptions) =>
  print(await clientFrom(options, environment).request('GET', '/v1/keys')),
);
withClient(keys.command('revoke <keyId>')).action(async (keyId: string, options: ClientOptions) =>
  print(
    await clientFrom(options, environment).request(
      'DELETE',
      `/v1/keys/${encodeURIComponent(keyId)}`,
    ),
  ),
);

const wallet = program.command('wallet').description('Show and fill the wallet');
withClient(wallet.command('show')).action(async (options: ClientOptions) =>
  print(await clientFrom(options, environment).request('GET', '/v1/wallet')),
);
withClient(wallet.command('top-up <amountCents>'))
  .option('--organization <id>', 'the organization whose wallet to fill')
  .action(async (amount: string, options: ClientOptions & { organization?: string }) => {
    const body = { amount_cents: Number(amount), organization_id: options.organization };
    print(await clientFrom(options, environment).request('POST', '/v1/wallet/top-ups', body));
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`deskhand: ${describeError(error)}\n`);
  process.exit(1);
});

/** The message and its chain of causes, which carry the detail (a database's own words). */
function describeError(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current !== undefined && messages.length < 5;) {
    messages.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}
