import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';

import type { StaticSite } from './static-site.js';

/** What a task's check can look at once its run has ended. */
export interface CheckContext {
  manual: StaticSite;
  /** OCR text of the machine's screen after the run. */
  screenText(): Promise<string>;
}

/** One task on third-party software packaged by Debian, with an automatic end-state check. */
export interface EvalTask {
  name: string;
  software: string;
  desktop: boolean;
  task(manual: StaticSite): string;
  /** Whether the end state is what the task asked for, and what was seen. */
  check(context: CheckContext): Promise<{ passed: boolean; seen: string }>;
  cleanUp?(): Promise<void>;
}

/** The packaged HTML manual the browser tasks read (Debian's libffi-dev package). */
export const manualDir = '/usr/share/doc/libffi8/html';

function lastPage(manual: StaticSite, page: string) {
  const seen = manual.pagesRequested.at(-1) ?? '(none)';
  return Promise.resolve({ passed: seen === `/${page}`, seen: `last page ${seen}` });
}

function fileTask(
  name: string,
  software: string,
  task: (path: string) => string,
  expected: string,
): EvalTask {
  const path = `/tmp/deskhand-eval-${randomBytes(4).toString('hex')}.txt`;
  return {
    name,
    software,
    desktop: true,
    task: () => task(path),
    async check() {
      const content = await readFile(path, 'utf8').catch(() => undefined);
      const seen = content === undefined ? `${path} missing` : `${path}: ${content.trim()}`;
      return { passed: content?.trim() === expected, seen };
    },
    cleanUp: () => rm(path, { force: true }),
  };
}

export function evalTasks(): EvalTask[] {
  return [
    {
      name: 'manual: follow a chapter link',
      software: 'libffi manual (HTML, Debian libffi-dev)',
      desktop: false,
      task: (manual) => `Navigate to ${manual.url}/index.html and click the Memory Usage link`,
      check: ({ manual }) => lastPage(manual, 'Memory-Usage.html'),
    },
    {
      name: 'manual: two links and a check',
      software: 'libffi manual (HTML, Debian libffi-dev)',
      desktop: false,
      task: (manual) =>
        `Navigate to ${manual.url}/index.html, click "Using libffi", click "The Basics" ` +
        'and check that "2.1 The Basics" is visible',
      check: ({ manual }) => lastPage(manual, 'The-Basics.html'),
    },
    fileTask(
      'terminal: run a command',
      'xterm',
      (path) => `Open the terminal, type "echo deskhand-$((6*7)) > ${path}" and press Enter`,
      'deskhand-42',
    ),
    fileTask(
      'editor: write and save a file',
      'mousepad',
      (path) =>
        'Open the text editor, type "Hello from Deskhand", press ctrl+s, wait 2 seconds, ' +
        `type "${path}" and press Enter`,
      'Hello from Deskhand',
    ),
    {
      name: 'calculator: multiply',
      software: 'galculator',
      desktop: true,
      task: () => 'Open the calculator, type "12*7=" and check that 84 is visible',
      async check({ screenText }) {
        const text = await screenText();
        return { passed: /\b84\b/.test(text), seen: /\b84\b/.test(text) ? '84 shown' : 'no 84' };
      },
    },
    {
      // Clicking single-character buttons is beyond OCR at screen scale: kept as a known miss.
      name: 'calculator: add by clicking buttons',
      software: 'galculator',
      desktop: true,
      task: () =>
        'Open the calculator, click "7", click "+", click "3", click "=" ' +
        'and check that 10 is visible',
      async check({ screenText }) {
        const shown = /\b10\b/.test(await screenText());
        return { passed: shown, seen: shown ? '10 shown' : 'no 10' };
      },
    },
  ];
}
