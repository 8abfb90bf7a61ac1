import { describe, expect, it } from 'vitest';

import { parseKeys } from './keys.js';

/** The combos of `keys`, written back as Playwright-style strings for short assertions. */
function combos(keys: string): string[] {
  const parsed = parseKeys(keys);
  if (!parsed.ok) {
    throw new Error(parsed.error);
  }
  return parsed.combos.map(({ held, key }) => [...held, key].join('+'));
}

describe('parseKeys', () => {
  it.each([
    ['Return', 'Enter'],
    ['enter', 'Enter'],
    ['ESC', 'Escape'],
    ['PgDn', 'PageDown'],
    ['page_up', 'PageUp'],
    ['del', 'Delete'],
    ['BackSpace', 'Backspace'],
    ['up', 'ArrowUp'],
    ['ArrowLeft', 'ArrowLeft'],
    ['ins', 'Insert'],
    ['f12', 'F12'],
    ['space', 'Space'],
    ['a', 'a'],
    ['A', 'A'],
    ['/', '/'],
  ])('reads %s as %s', (spelling, name) => {
    expect(combos(spelling)).toEqual([name]);
  });

  it('holds every key of a combo but the last, modifiers spelled any common way', () => {
    expect(combos('ctrl+shift+t')).toEqual(['Control+Shift+t']);
    expect(combos('Cmd+Option+Esc')).toEqual(['Meta+Alt+Escape']);
    expect(combos('super+L')).toEqual(['Meta+L']);
    expect(combos('win+d')).toEqual(['Meta+d']);
  });

  it('treats a trailing plus and the word plus as the plus key', () => {
    expect(parseKeys('ctrl++')).toEqual({ ok: true, combos: [{ held: ['Control'], key: '+' }] });
    expect(parseKeys('+')).toEqual({ ok: true, combos: [{ held: [], key: '+' }] });
    expect(combos('ctrl+plus')).toEqual(['Control++']);
  });

  it('presses whitespace-separated combos one after the other', () => {
    expect(combos('ctrl+a  Delete')).toEqual(['Control+a', 'Delete']);
  });

  it('reads a lone space as the space bar', () => {
    expect(combos(' ')).toEqual(['Space']);
  });

  it('refuses an unknown name and lists the valid ones', () => {
    const parsed = parseKeys('ctrl+Hyper');

    expect(parsed.ok).toBe(false);
    const error = parsed.ok ? '' : parsed.error;
    expect(error).toContain('Unknown key "Hyper" in "ctrl+Hyper"');
    expect(error).toContain('Enter/Return');
    expect(error).toContain('Meta/Cmd/Command/Super/Win/Windows');
    expect(error).toContain('F1-F12');
  });

  it('refuses characters the keyboard has no key for, and empty names', () => {
    expect(parseKeys('é')).toMatchObject({ ok: false });
    expect(parseKeys('ctrl+')).toMatchObject({ ok: false });
    expect(parseKeys('ctrl++a').ok).toBe(false);
  });
});
