import type { ScreenElement } from '../../machines/index.js';
import type { TextLine, TextWord } from './screen-text.js';

/** Where a target was found and how sure the match is (1 exact … 0.6 fuzzy). */
export interface ScreenTarget {
  name: string;
  role: string | null;
  x: number;
  y: number;
  score: number;
  source: 'elements' | 'ocr';
}

/** Lower case, punctuation dropped, spaces collapsed: "SIGN UP!" and "Sign up" read alike. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** How well `seen` names `wanted`: 1 equal, 0.8 contains it as whole words, 0.6 close. */
export function nameScore(wanted: string, seen: string): number {
  const a = normalize(wanted);
  const b = normalize(seen);
  if (a === '' || b === '') {
    return 0;
  }
  if (a === b || a.replace(/ /g, '') === b.replace(/ /g, '')) {
    return 1;
  }
  if (` ${b} `.includes(` ${a} `)) {
    return 0.8;
  }
  return similarity(a, b) >= 0.8 ? 0.6 : 0;
}

/** The best element whose accessible name matches; a role hint breaks ties. */
export function findInElements(
  elements: ScreenElement[],
  wanted: string,
  roles: string[] = [],
): ScreenTarget | undefined {
  let best: ScreenTarget | undefined;
  for (const element of elements) {
    const roleBonus = roles.includes(element.role) ? 0.05 : 0;
    const score = nameScore(wanted, element.name);
    if (score === 0 || element.width <= 0 || element.height <= 0) {
      continue;
    }
    const candidate: ScreenTarget = {
      name: element.name,
      role: element.role,
      x: Math.round(element.x + element.width / 2),
      y: Math.round(element.y + element.height / 2),
      score: score + roleBonus,
      source: 'elements',
    };
    if (!best || candidate.score > best.score) {
      best = candidate;
    }
  }
  return best;
}

/**
 * The best run of words on one OCR line matching `wanted`. Runs one word shorter or longer
 * are tried too, since OCR splits and joins words ("SignUp", "Sign Up").
 */
export function findInText(lines: TextLine[], wanted: string): ScreenTarget | undefined {
  const count = Math.max(1, normalize(wanted).split(' ').length);
  let best: ScreenTarget | undefined;
  for (const { words } of lines) {
    for (const size of [count, count - 1, count + 1]) {
      for (let start = 0; size > 0 && start + size <= words.length; start += 1) {
        const run = words.slice(start, start + size);
        const text = run.map((word) => word.text).join(' ');
        // A run that is the whole line is likelier a button or link than a word inside prose.
        const wholeLine = run.length === words.length ? 0.05 : 0;
        const score = exactOnly(nameScore(wanted, text)) + wholeLine;
        if (score > 0.05 && (!best || score > best.score)) {
          best = { name: text, role: null, ...centre(run), score, source: 'ocr' };
        }
      }
    }
  }
  return best;
}

/** Within a run of OCR words, "contains" would match a longer run; keep only equal or close. */
function exactOnly(score: number): number {
  return score === 0.8 ? 0 : score;
}

/** All the text the screen shows, for "is it visible" checks. */
export function screenTextOf(lines: TextLine[], elements: ScreenElement[] = []): string {
  const ocr = lines.map((line) => line.words.map((word) => word.text).join(' '));
  return [...ocr, ...elements.map((element) => element.name)].join('\n');
}

/** Whether `wanted` appears in `text`, tolerant of case, punctuation and spacing. */
export function textVisible(text: string, wanted: string): boolean {
  const haystack = ` ${normalize(text).replace(/\n/g, ' ')} `;
  const needle = normalize(wanted);
  return (
    needle !== '' &&
    (haystack.includes(` ${needle} `) ||
      haystack.replace(/ /g, '').includes(needle.replace(/ /g, '')))
  );
}

function centre(words: TextWord[]): { x: number; y: number } {
  const left = Math.min(...words.map((word) => word.x));
  const top = Math.min(...words.map((word) => word.y));
  const right = Math.max(...words.map((word) => word.x + word.width));
  const bottom = Math.max(...words.map((word) => word.y + word.height));
  return { x: Math.round((left + right) / 2), y: Math.round((top + bottom) / 2) };
}

/** 1 minus the edit distance over the longer length. */
function similarity(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return 1 - previous[b.length]! / Math.max(a.length, b.length);
}
