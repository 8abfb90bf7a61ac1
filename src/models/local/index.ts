export { LocalModel } from './local-model.js';
export type { LocalModelOptions } from './local-model.js';
export { tesseractReader } from './screen-text.js';
export type { ReadScreenText, TextLine, TextWord } from './screen-text.js';
export { normalize, screenTextOf, textVisible } from './find-target.js';
