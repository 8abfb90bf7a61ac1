/**
 * Maps the key names of the shared parser (`../browser/keys.ts`, Playwright's spelling) to
 * X keysym names, and joins a combo the way `xdotool key` reads it ("ctrl+shift+t").
 */
import type { KeyCombo } from '../browser/keys.js';

const KEYSYMS: Record<string, string> = {
  Enter: 'Return',
  Escape: 'Escape',
  Tab: 'Tab',
  Space: 'space',
  Backspace: 'BackSpace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'Prior',
  PageDown: 'Next',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Shift: 'shift',
  Control: 'ctrl',
  Alt: 'alt',
  Meta: 'super',
  CapsLock: 'Caps_Lock',
  ContextMenu: 'Menu',
  '+': 'plus',
};

// Printable ASCII that is not a letter or digit has a keysym name of its own.
const PUNCTUATION: Record<string, string> = {
  ' ': 'space',
  '!': 'exclam',
  '"': 'quotedbl',
  '#': 'numbersign',
  $: 'dollar',
  '%': 'percent',
  '&': 'ampersand',
  "'": 'apostrophe',
  '(': 'parenleft',
  ')': 'parenright',
  '*': 'asterisk',
  ',': 'comma',
  '-': 'minus',
  '.': 'period',
  '/': 'slash',
  ':': 'colon',
  ';': 'semicolon',
  '<': 'less',
  '=': 'equal',
  '>': 'greater',
  '?': 'question',
  '@': 'at',
  '[': 'bracketleft',
  '\\': 'backslash',
  ']': 'bracketright',
  '^': 'asciicircum',
  _: 'underscore',
  '`': 'grave',
  '{': 'braceleft',
  '|': 'bar',
  '}': 'braceright',
  '~': 'asciitilde',
};

/** The keysym for one parsed key name (F1–F12 and letters and digits are their own names). */
export function toKeysym(name: string): string {
  return KEYSYMS[name] ?? PUNCTUATION[name] ?? name;
}

/** Every keysym of the combo, held keys first. */
export function comboKeysyms(combo: KeyCombo): string[] {
  return [...combo.held, combo.key].map(toKeysym);
}

/** The combo as one `xdotool key` argument: xdotool presses in order and releases in reverse. */
export function xdotoolCombo(combo: KeyCombo): string {
  return comboKeysyms(combo).join('+');
}
