import type { Config } from '../config/index.js';
import type { Clock } from '../core/index.js';
import { CredentialCipher, RunCredentials } from '../credentials/index.js';
import {
  HttpModel,
  LocalModel,
  ModelRegistry,
  ProviderFactory,
  configuredProviderModels,
} from '../models/index.js';
import type { Model } from '../models/index.js';
import { RunModels } from '../runs/index.js';
import type { Store } from '../store/index.js';

export interface ModelWiringDeps {
  config: Config;
  store: Store;
  clock: Clock;
  fetch?: typeof fetch;
  /** Models besides the ones the config names. */
  models?: Model[];
}

export interface ModelWiring {
  providers: ProviderFactory;
  models: ModelRegistry;
  credentials: RunCredentials;
  runModels: RunModels;
}

/** Builds the model registry, the providers and the per-run choice between them. */
export function buildModelWiring(deps: ModelWiringDeps): ModelWiring {
  const { config, store, clock } = deps;
  const providers = new ProviderFactory(config, deps.fetch);
  const models = buildModels(deps, providers);
  const credentials = new RunCredentials(
    store,
    CredentialCipher.load(config.credentialsKey, config.dataDir),
    clock,
  );
  const runModels = new RunModels(models, providers, credentials);
  return { providers, models, credentials, runModels };
}

function buildModels(deps: ModelWiringDeps, providers: ProviderFactory): ModelRegistry {
  const { config } = deps;
  const registry = new ModelRegistry(config.defaultModel);
  if (config.httpModelUrl) {
    registry.register(
      new HttpModel({
        url: config.httpModelUrl,
        timeoutMs: config.modelTimeoutMs,
        fetch: deps.fetch,
      }),
    );
  }
  for (const model of configuredProviderModels(providers, config)) {
    registry.register(model);
  }
  for (const model of deps.models ?? []) {
    registry.register(model);
  }
  // Registered last, so it is the default only when nothing with a key or endpoint is set.
  registry.register(new LocalModel());
  return registry;
}
