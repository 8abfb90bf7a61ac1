import { sleep } from '../../core/index.js';
import type { DecideOptions, Model, ModelDecision, ModelInput } from '../model.js';

export type Script = (input: ModelInput) => ModelDecision | Promise<ModelDecision>;

/**
 * A model that answers from a script, for tests of the engine: each call is recorded, and a
 * delay makes a call slow enough to cancel in the middle of it.
 */
export class ScriptedModel implements Model {
  readonly calls: ModelInput[] = [];

  constructor(
    readonly name: string,
    private readonly script: Script,
    private readonly delayMs = 0,
  ) {}

  async decide(input: ModelInput, options: DecideOptions): Promise<ModelDecision> {
    this.calls.push(input);
    if (this.delayMs > 0) {
      await sleep(this.delayMs, options.signal);
    }
    options.signal.throwIfAborted();
    return this.script(input);
  }
}

/** A script that plays `decisions` in order and then reports the task done. */
export function sequence(decisions: ModelDecision[]): Script {
  return (input) =>
    decisions[input.step - 1] ?? { actions: [], done: { success: true, summary: 'done' } };
}
