import type { RunRequest } from '../contracts/index.js';
import type { RunCredentials } from '../credentials/index.js';
import { AppError } from '../errors/index.js';
import { ModelError, ownKeyProviders } from '../models/index.js';
import type { Model, ModelRegistry, OwnKeyProvider, ProviderFactory } from '../models/index.js';
import { readJson } from '../store/index.js';
import type { RunRow } from './run-row.js';

/** The X-LLM-* headers of a create request: the caller's own provider account. */
export interface OwnProviderHeaders {
  provider?: string;
  apiKey?: string;
  model?: string;
}

/** Which model a new run uses, and the key it brought for it. */
export interface ModelSelection {
  /** The run's `model`: a server model's name, or the provider's model id. */
  model: string;
  /** The run's `llm` as stored and shown (no key, only its fingerprint once kept). */
  llm: Record<string, unknown> | null;
  ownKey?: { provider: OwnKeyProvider; apiKey: string };
}

/**
 * Picks the model of a new run. A run that names a provider (`llm.provider` or
 * X-LLM-Provider) runs on that provider with the caller's key or not at all: there is no
 * silent fallback to the server's models. Otherwise `model` names a server model, or a
 * provider's model id (`claude-opus-4-5`) the server holds a key for.
 */
export function selectModel(
  request: RunRequest,
  headers: OwnProviderHeaders,
  registry: ModelRegistry,
  factory: ProviderFactory,
): ModelSelection {
  if (headers.apiKey !== undefined && headers.provider === undefined) {
    throw new AppError('LLM_PROVIDER_UNSUPPORTED', 'X-LLM-Api-Key needs X-LLM-Provider.');
  }
  refuseOddHeaders(headers);
  const provider = providerOf(request, headers);
  if (provider === 'managed') {
    if (headers.model !== undefined || request.llm?.model) {
      throw new AppError(
        'VALIDATION_ERROR',
        'A model override needs a provider (X-LLM-Provider or llm.provider); ' +
          'server models are chosen with `model`.',
        { details: { field: 'body.llm.model' } },
      );
    }
    const llm = request.llm ? { ...request.llm } : null;
    if (request.model && !registry.names().includes(request.model)) {
      if (factory.serverModel(request.model)) {
        return { model: request.model, llm };
      }
    }
    return { model: registry.resolve(request.model ?? null).name, llm };
  }
  // LIMITATION: keys stored once per organization (PUT /v1/llm/keys/{provider}) are not
  // offered; such a store, sealed like run keys, would let runs name a provider without a key.
  if (headers.apiKey === undefined) {
    throw new AppError(
      'LLM_KEY_NOT_CONFIGURED',
      `A run on your own ${provider} account needs your key in X-LLM-Api-Key.`,
    );
  }
  const model =
    headers.model ?? request.llm?.model ?? request.model ?? factory.defaultModel(provider);
  return {
    model,
    llm: { ...request.llm, provider, model },
    ownKey: { provider, apiKey: headers.apiKey },
  };
}

/** The reference's bounds: a key of 16–512 characters, a model name of 1–512. */
function refuseOddHeaders(headers: OwnProviderHeaders): void {
  const key = headers.apiKey;
  if (key !== undefined && (key.length < 16 || key.length > 512)) {
    throw new AppError('VALIDATION_ERROR', 'X-LLM-Api-Key must be 16 to 512 characters.', {
      details: { field: 'header.x-llm-api-key' },
    });
  }
  const model = headers.model;
  if (model !== undefined && (model.length < 1 || model.length > 512)) {
    throw new AppError('VALIDATION_ERROR', 'X-LLM-Model must be 1 to 512 characters.', {
      details: { field: 'header.x-llm-model' },
    });
  }
}

function providerOf(request: RunRequest, headers: OwnProviderHeaders): 'managed' | OwnKeyProvider {
  const fromBody = request.llm?.provider ?? 'managed';
  const named = headers.provider ?? fromBody;
  if (named !== 'managed' && !(ownKeyProviders as readonly string[]).includes(named)) {
    throw new AppError('LLM_PROVIDER_UNSUPPORTED', `Provider '${named}' is not offered.`, {
      details: { supported: ['managed', ...ownKeyProviders] },
    });
  }
  if (headers.provider !== undefined && fromBody !== 'managed' && fromBody !== headers.provider) {
    throw new AppError(
      'VALIDATION_ERROR',
      `X-LLM-Provider '${headers.provider}' contradicts llm.provider '${fromBody}'.`,
      { details: { field: 'body.llm.provider' } },
    );
  }
  return named as 'managed' | OwnKeyProvider;
}

/**
 * The model that drives a run: a server model by name, or the run's provider with the key
 * it brought. Models are kept per run, so the screenshots they hold survive a pause.
 */
export class RunModels {
  private readonly byRun = new Map<string, Model>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly factory: ProviderFactory,
    private readonly credentials: RunCredentials,
  ) {}

  /** Forgets the run's model and the key it holds. */
  release(runId: string): void {
    this.byRun.delete(runId);
  }

  async modelFor(run: RunRow): Promise<Model> {
    const llm = readJson<{ provider?: string; model?: string } | null>(run.llm, null);
    const provider = llm?.provider;
    const cached = this.byRun.get(run.id);
    if (cached) {
      return cached;
    }
    if (!provider || provider === 'managed') {
      return this.serverModel(run);
    }
    const apiKey = await this.credentials.read(run.id);
    if (apiKey === undefined) {
      throw new ModelError(
        'LLM_KEY_NOT_CONFIGURED',
        `The ${provider} key this run brought is no longer held; start a new run with it.`,
        false,
      );
    }
    return this.keep(
      run.id,
      this.factory.create(provider as OwnKeyProvider, { model: run.model, apiKey }),
    );
  }

  /** A server model by name, or a provider's model by its id on the server's key. */
  private serverModel(run: RunRow): Model {
    if (this.registry.names().includes(run.model)) {
      return this.registry.resolve(run.model);
    }
    const model = this.factory.serverModel(run.model);
    return model ? this.keep(run.id, model) : this.registry.resolve(run.model);
  }

  private keep(runId: string, model: Model): Model {
    this.byRun.set(runId, model);
    if (this.byRun.size > 256) {
      this.byRun.delete(this.byRun.keys().next().value as string);
    }
    return model;
  }
}
