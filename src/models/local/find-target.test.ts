import { describe, expect, it } from 'vitest';

import { findInElements, findInText, textVisible } from './find-target.js';
import { linesOf } from './screen-text.js';

const header =
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const word = (line: number, index: number, box: number[], text: string) =>
  `5\t1\t${line}\t1\t1\t${index}\t${box.join('\t')}\t91.5\t${text}`;

describe('finding a target by its name', () => {
  const lines = linesOf(
    [
      header,
      word(1, 1, [60, 40, 120, 30], 'Sign'),
      word(1, 2, [60, 80, 90, 30], 'up'),
      word(1, 3, [160, 80, 50, 30], 'for'),
      word(1, 4, [220, 80, 120, 30], 'news'),
      word(2, 1, [100, 200, 50, 20], 'SIGN'),
      word(2, 2, [160, 200, 40, 20], 'UP!'),
    ].join('\n'),
  );

  it('matches OCR words regardless of case and punctuation, preferring a whole line', () => {
    expect(findInText(lines, 'Sign Up')).toMatchObject({ name: 'SIGN UP!', x: 150, y: 210 });
  });

  it('prefers an element with the hinted role and boxes it by its centre', () => {
    const elements = [
      { role: 'heading', name: 'Sign up', x: 0, y: 0, width: 100, height: 40 },
      { role: 'link', name: 'Sign Up', x: 10, y: 100, width: 80, height: 20 },
    ];
    expect(findInElements(elements, 'sign up', ['link'])).toMatchObject({ x: 50, y: 110 });
  });

  it('sees text on screen tolerantly but not a different word', () => {
    expect(textVisible('Welcome,  ABOARD!\nother', 'welcome aboard')).toBe(true);
    expect(textVisible('Welcome aboard', 'Welcome back')).toBe(false);
  });
});
