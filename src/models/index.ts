export type { DecideOptions, Model, ModelDecision, ModelInput, StepRecord } from './model.js';
export { ModelError } from './model-error.js';
export { ModelRegistry } from './registry.js';
export { HttpModel } from './http/http-model.js';
export type { HttpModelOptions } from './http/http-model.js';
export { ScriptedModel, sequence } from './scripted/scripted-model.js';
export type { Script } from './scripted/scripted-model.js';
export { LocalModel, screenTextOf, tesseractReader, textVisible } from './local/index.js';
export type { LocalModelOptions, ReadScreenText } from './local/index.js';
