/**
 * Turns the free-form key strings models write ("ctrl+shift+t", "Return", "PgDn") into the
 * key names Playwright's keyboard understands, and explains what is accepted when a name is
 * unknown.
 */

/** One combo: keys held down in order, then `key` pressed, then the held keys released. */
export interface KeyCombo {
  held: string[];
  key: string;
}

/** The combos to press in turn, or why the key string was refused. */
export type ParsedKeys = { ok: true; combos: KeyCombo[] } | { ok: false; error: string };

/** Playwright's name first, then the spellings accepted for it (all matched case-insensitively). */
const KEY_SPELLINGS: ReadonlyArray<readonly string[]> = [
  ['Enter', 'Return'],
  ['Escape', 'Esc'],
  ['Tab'],
  ['Space'],
  ['Backspace'],
  ['Delete', 'Del'],
  ['Insert', 'Ins'],
  ['Home'],
  ['End'],
  ['PageUp', 'PgUp'],
  ['PageDown', 'PgDn'],
  ['ArrowUp', 'Up'],
  ['ArrowDown', 'Down'],
  ['ArrowLeft', 'Left'],
  ['ArrowRight', 'Right'],
  ['Shift'],
  ['Control', 'Ctrl'],
  ['Alt', 'Option', 'Opt'],
  ['Meta', 'Cmd', 'Command', 'Super', 'Win', 'Windows'],
  ['CapsLock'],
  ['ContextMenu', 'Menu'],
  ['+', 'Plus'],
  ...Array.from({ length: 12 }, (_, index) => [`F${index + 1}`]),
];

const KEY_NAMES = new Map<string, string>(
  KEY_SPELLINGS.flatMap(([name = '', ...aliases]) =>
    [name, ...aliases].map((spelling) => [spellingKey(spelling), name] as const),
  ),
);

/**
 * Parses a key action's `keys`: whitespace separates combos pressed one after the other
 * ("ctrl+a Delete"), "+" joins the keys of one combo. Nothing is sent when any name is
 * unknown, so the caller can refuse the whole action.
 */
export function parseKeys(keys: string): ParsedKeys {
  // A lone space is a request for the space bar, not an empty sequence.
  const sequence = keys.trim() === '' ? ['Space'] : keys.trim().split(/\s+/);
  const combos: KeyCombo[] = [];

  for (const word of sequence) {
    const combo = parseCombo(word);
    if (typeof combo === 'string') {
      return { ok: false, error: unknownKeyMessage(combo, keys) };
    }
    combos.push(combo);
  }

  return { ok: true, combos };
}

/** Returns the combo, or the offending token when one is not a key name. */
function parseCombo(word: string): KeyCombo | string {
  const names: string[] = [];

  for (const token of splitCombo(word)) {
    const name = normaliseKey(token);
    if (name === undefined) {
      return token;
    }
    names.push(name);
  }

  const key = names.pop() ?? '';
  return { held: names, key };
}

/** Splits on "+", keeping a trailing "+" as the plus key itself ("ctrl++", "+"). */
function splitCombo(word: string): string[] {
  if (word === '+') {
    return ['+'];
  }
  if (word.endsWith('++')) {
    return [...word.slice(0, -2).split('+'), '+'];
  }
  return word.split('+');
}

function normaliseKey(token: string): string | undefined {
  if (token.length === 1) {
    return isPrintableAscii(token) ? token : undefined;
  }
  return KEY_NAMES.get(spellingKey(token));
}

/** Case-insensitive, and blind to the separators in "Page_Down" or "arrow-up". */
function spellingKey(spelling: string): string {
  return spelling.toLowerCase().replace(/[_-]/g, '');
}

// Playwright's keyboard layout is US ASCII; other characters have no key to press.
function isPrintableAscii(character: string): boolean {
  const code = character.charCodeAt(0);
  return code >= 0x20 && code <= 0x7e;
}

function unknownKeyMessage(token: string, keys: string): string {
  const names = KEY_SPELLINGS.filter((spellings) => !/^F\d+$/.test(spellings[0] ?? ''))
    .map((spellings) => spellings.join('/'))
    .join(', ');
  const what = token === '' ? 'An empty key name' : `Unknown key "${token}"`;

  return (
    `${what} in "${keys}". Valid names (case-insensitive): ${names}, F1-F12, or any single ` +
    'printable ASCII character. Join keys of a combo with "+" (ctrl+shift+t) and separate ' +
    'combos pressed in turn with spaces. Use a type action for other text.'
  );
}
