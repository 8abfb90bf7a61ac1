import { AppError } from '../errors/index.js';
import type { Model } from './model.js';

/** The models this server can drive runs with, by name, and which one is the default. */
export class ModelRegistry {
  private readonly models = new Map<string, Model>();

  constructor(private readonly defaultName?: string) {}

  register(model: Model): void {
    this.models.set(model.name, model);
  }

  names(): string[] {
    return [...this.models.keys()];
  }

  /** The model a run asked for, or the default; a clear 422 when it is not available. */
  resolve(requested: string | null | undefined): Model {
    const name = requested ?? this.defaultName ?? this.names()[0];
    const model = name === undefined ? undefined : this.models.get(name);
    if (!model) {
      const available = this.names();
      throw new AppError(
        'MODEL_NOT_AVAILABLE',
        available.length === 0
          ? 'No model is configured on this server.'
          : `Model '${name}' is not available; available: ${available.join(', ')}.`,
        { details: { available } },
      );
    }
    return model;
  }
}
