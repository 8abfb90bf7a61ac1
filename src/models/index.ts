export type { DecideOptions, Model, ModelDecision, ModelInput, StepRecord } from './model.js';
export { ModelError } from './model-error.js';
export { ModelRegistry } from './registry.js';
export { HttpModel } from './http/http-model.js';
export type { HttpModelOptions } from './http/http-model.js';
export { ScriptedModel, sequence } from './scripted/scripted-model.js';
export type { Script } from './scripted/scripted-model.js';
export type { ModelAction, StepOutcome, TerminalAction } from './model.js';
export { AnthropicModel, anthropicImageLimits } from './anthropic/anthropic-model.js';
export type { AnthropicModelOptions } from './anthropic/anthropic-model.js';
export type { ProviderSettings } from './provider/provider-settings.js';
export { ScreenScale, smartResize } from './provider/screen-scale.js';
export {
  ProviderFactory,
  configuredProviderModels,
  ownKeyProviders,
} from './selection/provider-factory.js';
export type { OwnKeyProvider, ProviderRequest } from './selection/provider-factory.js';
export { OpenAiModel, openaiImageLimits } from './openai/openai-model.js';
export { CompatibleModel, compatibleImageLimits } from './compatible/compatible-model.js';
export { familyOf, scaleFor } from './compatible/gui-model-family.js';
export type { GuiModelFamily } from './compatible/gui-model-family.js';
export { LocalModel, screenTextOf, tesseractReader, textVisible } from './local/index.js';
export type { LocalModelOptions, ReadScreenText } from './local/index.js';
