import type { z } from 'zod';

import type { SuccessCriterion } from '../../contracts/index.js';
import type { Observation, Workspaces } from '../../machines/index.js';
import { screenTextOf, textVisible } from '../../models/index.js';
import type { ReadScreenText } from '../../models/index.js';

export type Criterion = z.infer<typeof SuccessCriterion>;

/** One criterion as the verifier found it. */
export interface CheckResult {
  type: Criterion['type'];
  passed: boolean;
  /** What was seen, in words a person or the agent can act on. */
  detail: string;
}

export interface CheckContext {
  machineId: string;
  observation: Observation;
  workspaces: Workspaces;
  readScreenText: ReadScreenText;
  signal: AbortSignal;
}

const COMMAND_TIMEOUT_MS = 30_000;

export async function checkCriterion(
  criterion: Criterion,
  context: CheckContext,
): Promise<CheckResult> {
  switch (criterion.type) {
    case 'text_visible':
      return textCheck(criterion.text, context);
    case 'url_matches':
      return urlCheck(criterion.pattern, context.observation.url);
    case 'file_exists':
      return fileCheck(criterion.path, criterion.contains, context);
    case 'command_output':
      return commandCheck(criterion.command, criterion.contains, context);
  }
}

async function textCheck(text: string, context: CheckContext): Promise<CheckResult> {
  const { observation } = context;
  const read = async (mode: 'sparse' | 'enlarged') => {
    const image = observation.screenshot.data;
    const lines = await context.readScreenText(image, context.signal, { mode });
    const screen = [screenTextOf(lines, observation.elements), observation.terminalText ?? ''];
    return textVisible(screen.join('\n'), text);
  };
  // The enlarged reading is a second look only: it costs several times the first.
  const passed = (await read('sparse')) || (await read('enlarged'));
  return {
    type: 'text_visible',
    passed,
    detail: passed ? `"${text}" is on the screen.` : `"${text}" is not on the screen.`,
  };
}

/**
 * A pattern is matched as a glob when it holds `*` (any run of characters), as a regular
 * expression when written `/…/`, and otherwise as the URL itself (a trailing slash aside).
 */
export function urlMatches(pattern: string, url: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    try {
      return new RegExp(regex[1]!, regex[2]).test(url);
    } catch {
      return false;
    }
  }
  if (pattern.includes('*')) {
    const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${escaped.join('.*')}$`).test(url);
  }
  return url.replace(/\/$/, '') === pattern.replace(/\/$/, '');
}

function urlCheck(pattern: string, url: string | undefined): CheckResult {
  if (url === undefined) {
    return { type: 'url_matches', passed: false, detail: 'The machine reports no page URL.' };
  }
  const passed = urlMatches(pattern, url);
  const verb = passed ? 'matches' : 'does not match';
  return { type: 'url_matches', passed, detail: `The URL ${url} ${verb} ${pattern}.` };
}

// Paths are read in the machine's home, which its terminal, file commands and desktop
// applications share.
async function fileCheck(
  path: string,
  contains: string | undefined,
  context: CheckContext,
): Promise<CheckResult> {
  const workspace = await context.workspaces.get(context.machineId);
  try {
    if (!(await workspace.files.exists(path))) {
      return { type: 'file_exists', passed: false, detail: `${path} does not exist.` };
    }
    if (contains === undefined) {
      return { type: 'file_exists', passed: true, detail: `${path} exists.` };
    }
    const { content } = await workspace.files.read(path);
    const passed = content.includes(contains);
    const holds = passed ? 'holds' : 'does not hold';
    return { type: 'file_exists', passed, detail: `${path} ${holds} "${contains}".` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    return { type: 'file_exists', passed: false, detail: `${path} could not be read: ${reason}` };
  }
}

async function commandCheck(
  command: string,
  contains: string,
  context: CheckContext,
): Promise<CheckResult> {
  const workspace = await context.workspaces.get(context.machineId);
  const session = await workspace.terminal.connect();
  try {
    const result = await workspace.terminal.execute(session, command, {
      timeoutMs: COMMAND_TIMEOUT_MS,
      signal: context.signal,
    });
    const passed = result.output.includes(contains);
    const holds = passed ? 'holds' : 'does not hold';
    return {
      type: 'command_output',
      passed,
      detail: `The output of \`${command}\` (exit ${result.exit_code}) ${holds} "${contains}".`,
    };
  } finally {
    await workspace.terminal.close(session).catch(() => undefined);
  }
}
