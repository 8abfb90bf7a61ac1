import { spawn } from 'node:child_process';

import { ModelError } from '../model-error.js';
import { enlargePng } from './enlarge.js';

/** A run of words on one line of the screen, with the box that holds them in screen pixels. */
export interface TextLine {
  words: TextWord[];
}

export interface TextWord {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Reads the words of a screenshot with their boxes. Mode `sparse` suits screens: short labels
 * scattered over the page. `enlarged` reads the screen at twice its size: it finds small text
 * (a terminal's prompt, a manual's menu) and light text on coloured bars that the first reading
 * misses, at about five times the cost, so callers use it as a second look.
 */
export type ReadScreenText = (
  image: Buffer,
  signal: AbortSignal,
  options?: { mode?: 'sparse' | 'enlarged' },
) => Promise<TextLine[]>;

const OCR_TIMEOUT_MS = 30_000;
const ENLARGE_FACTOR = 2;

/**
 * OCR through Debian's `tesseract` binary and its English data, so nothing is downloaded at
 * run time.
 */
export function tesseractReader(binary = 'tesseract'): ReadScreenText {
  return async (image, signal, options = {}) => {
    if (options.mode === 'enlarged') {
      const enlarged = enlargePng(image, ENLARGE_FACTOR);
      const small =
        enlarged === undefined
          ? []
          : scaleLines(linesOf(await runTesseract(binary, enlarged, signal, '11')), ENLARGE_FACTOR);
      // Page layout analysis (mode 3) reads light text on a dark bar, such as a window's
      // title, that sparse text mode (11) passes over.
      return [...small, ...linesOf(await runTesseract(binary, image, signal, '3'))];
    }
    return linesOf(await runTesseract(binary, image, signal, '11'));
  };
}

function runTesseract(
  binary: string,
  image: Buffer,
  signal: AbortSignal,
  pageMode: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['stdin', 'stdout', '--psm', pageMode, '-l', 'eng', 'tsv'], {
      // One thread: on a small shared host more threads only contend.
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['pipe', 'pipe', 'ignore'],
      signal: AbortSignal.any([signal, AbortSignal.timeout(OCR_TIMEOUT_MS)]),
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      reject(
        new ModelError('LLM_PROVIDER_ERROR', 'OCR of the screen failed.', true, { cause: error }),
      );
    });
    child.once('close', (code) => {
      if (code === 0) {
        resolve(Buffer.concat(chunks).toString('utf8'));
      } else if (!signal.aborted) {
        reject(new ModelError('LLM_PROVIDER_ERROR', `OCR exited with ${code}.`, true));
      }
    });
    child.stdin.end(image);
  });
}

/** Groups tesseract's TSV word rows into lines, in reading order. */
export function linesOf(tsv: string): TextLine[] {
  const lines = new Map<string, TextLine>();
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') {
      continue;
    }
    const text = cells.slice(11).join('\t').trim();
    const confidence = Number(cells[10]);
    if (text === '' || confidence < 10) {
      continue;
    }
    const [x, y, width, height] = cells.slice(6, 10).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const key = cells.slice(1, 5).join('.');
    const line = lines.get(key) ?? { words: [] };
    line.words.push({ text, x, y, width, height });
    lines.set(key, line);
  }
  return [...lines.values()];
}

function scaleLines(lines: TextLine[], factor: number): TextLine[] {
  return lines.map((line) => ({
    words: line.words.map((word) => ({
      text: word.text,
      x: Math.round(word.x / factor),
      y: Math.round(word.y / factor),
      width: Math.round(word.width / factor),
      height: Math.round(word.height / factor),
    })),
  }));
}
