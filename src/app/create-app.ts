import type { FastifyInstance } from 'fastify';

import { KeyService, bootstrapAdmin, keyRoutes } from '../auth/index.js';
import type { BootstrapResult } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { randomIds, systemClock } from '../core/index.js';
import type { Clock, IdGenerator } from '../core/index.js';
import { EventBus, EventLog } from '../events/index.js';
import { IdempotencyStore, buildHttpServer } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import { createLogger } from '../log/index.js';
import type { Logger } from '../log/index.js';
import {
  MachineActions,
  MachineLifecycle,
  SnapshotCatalog,
  accessRoutes,
  actionRoutes,
  opRoutes,
  lifecycleRoutes,
  machineRoutes,
  snapshotRoutes,
} from '../machines/index.js';
import type { DriverRegistry } from '../machines/index.js';
import type { Model } from '../models/index.js';
import { RunService, runRoutes } from '../runs/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { WalletService, walletRoutes } from '../wallet/index.js';
import {
  WebhookDeliverer,
  checkWebhookUrl,
  createDeliveryHook,
  generateWebhookSecret,
} from '../webhooks/index.js';
import { createWorkflows } from '../workflows/index.js';
import { readInstanceId } from './instance-id.js';
import { buildMachineWiring } from './machine-wiring.js';
import { buildModelWiring } from './model-wiring.js';
import { buildRunEngineWiring } from './run-engine-wiring.js';
import { systemRoutes } from './system-routes.js';

/** What the app is built from; everything but the config has a production default. */
export interface AppDeps {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  fetch?: typeof fetch;
  drivers?: DriverRegistry;
  /** Models besides the ones the config names. */
  models?: Model[];
  version?: string;
}

export interface App {
  server: FastifyInstance;
  store: Store;
  bootstrap: BootstrapResult;
  logger: Logger;
  /** Starts listening and working; resolves with the base URL. */
  start(): Promise<string>;
  /** Stops working and listening; runs in flight continue at the next start. */
  stop(): Promise<void>;
}

/** Builds the whole server from its dependencies. Nothing starts until `start()`. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const store = await openStore(config);
  const keys = new KeyService(store, clock, ids);
  const bootstrap = await bootstrapAdmin(keys, config.dataDir, config.adminKey);

  const bus = new EventBus();
  const events = new EventLog(store, clock, bus);
  const wallet = new WalletService(store, clock, ids);
  const { drivers, workspaces, snapshotFiles, snapshots, machines } = buildMachineWiring({
    ...{ config, store, clock, ids, logger, wallet },
    drivers: deps.drivers,
  });
  const { providers, models, credentials, runModels } = buildModelWiring({
    ...{ config, store, clock },
    fetch: deps.fetch,
    models: deps.models,
  });
  const { transitions, ledger, engine } = buildRunEngineWiring({
    ...{ config, store, clock, logger, events, wallet },
    ...{ machines, workspaces, models, runModels },
  });

  const deliverer = new WebhookDeliverer({
    store,
    clock,
    ids,
    logger,
    allowPrivate: config.webhookAllowPrivate,
    maxAttempts: config.webhookMaxAttempts,
    backoffMs: config.webhookBackoffMs,
    timeoutMs: config.webhookTimeoutMs,
  });
  events.onAppend(createDeliveryHook({ ids, clock }));
  events.onCommit((written) => {
    if (written.some((event) => event.type === 'status')) {
      deliverer.wake();
    }
  });

  const runs = new RunService({
    store,
    clock,
    ids,
    events,
    transitions,
    machines,
    models,
    providers,
    credentials,
    wallet,
    stepPriceCredits: config.stepPriceCredits,
    checkWebhookUrl: (url) => checkWebhookUrl(url, config.webhookAllowPrivate),
    newWebhookSecret: generateWebhookSecret,
    refundUnfinished: (trx, row) => ledger.refundUnfinished(trx, row),
    wakeEngine: () => engine.wake(),
    interrupt: (runId, reason) => engine.interrupt(runId, reason),
  });

  const workflows = createWorkflows({
    store,
    clock,
    ids,
    logger,
    events,
    bus,
    runs,
    wallet,
    stepPriceCredits: config.stepPriceCredits,
    sseHeartbeatMs: config.sseHeartbeatMs,
    instanceId: readInstanceId(config.dataDir),
    checkWebhookUrl: (url) => checkWebhookUrl(url, config.webhookAllowPrivate),
    newWebhookSecret: generateWebhookSecret,
  });

  const lifecycle = new MachineLifecycle(
    store,
    clock,
    machines,
    drivers,
    logger,
    async (org, id) => {
      await runs.cancel(org, id);
    },
  );

  const idempotency = new IdempotencyStore(store, clock, config.idempotencyWaitMs);
  const machineActions = new MachineActions(machines, workspaces, store, clock);
  const apiRoutes: AnyRoute[] = [
    ...keyRoutes({
      keys,
      fundOrganization: async (organizationId, credits) =>
        credits > 0 ? (await wallet.topUp(organizationId, credits)).balanceAfter : 0,
      balance: (organizationId) => wallet.balance(organizationId),
    }),
    ...walletRoutes({ wallet, store, stepPriceCredits: config.stepPriceCredits }),
    ...machineRoutes(machines),
    ...actionRoutes(machineActions),
    ...opRoutes(machineActions),
    ...lifecycleRoutes(lifecycle),
    ...snapshotRoutes({
      snapshots,
      catalog: new SnapshotCatalog(store, snapshotFiles),
      wallet,
    }),
    ...accessRoutes({
      machines,
      snapshotPriceCredits: config.snapshotPriceCredits,
      stepPriceCredits: config.stepPriceCredits,
    }),
    ...runRoutes({ runs, events, bus, sseHeartbeatMs: config.sseHeartbeatMs }),
    ...workflows.routes,
  ];
  const version = deps.version ?? '0.1.0';
  const routes: AnyRoute[] = [];
  routes.push(...systemRoutes(() => routes, idempotency, version), ...apiRoutes);
  const server = buildHttpServer({
    logger,
    ids,
    keys,
    idempotency,
    routes,
    bodyLimitBytes: config.bodyLimitBytes,
  });

  return {
    server,
    store,
    bootstrap,
    logger,
    async start() {
      await drivers.reapOrphans();
      await snapshots.recover();
      const url = await server.listen({ host: config.host, port: config.port });
      engine.start();
      workflows.engine.start();
      lifecycle.startSweeping();
      deliverer.start();
      logger.info({ url, store: store.kind, models: models.names() }, 'deskhand serving');
      return url;
    },
    async stop() {
      lifecycle.stopSweeping();
      await workflows.engine.stop();
      await engine.stop();
      await deliverer.stop();
      await server.close();
      await drivers.close();
      await workspaces.closeAll();
      await store.close();
    },
  };
}
