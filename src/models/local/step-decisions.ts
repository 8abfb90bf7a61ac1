import type { AgentAction } from '../../contracts/index.js';
import type { Observation } from '../../machines/index.js';
import { appShown, openOnDesktop } from './desktop-apps.js';
import { quotedIn, valueFor } from './named-value.js';
import { locate, seen, visible } from './screen-lookup.js';
import type { TextLine } from './screen-text.js';
import type { AppName, PlanStep } from './task-plan.js';

/** What one plan step needs now: actions, nothing (it already holds), a person, or an end. */
export type StepDecision =
  | { kind: 'act'; actions: AgentAction[]; what: string; looking?: boolean }
  | { kind: 'skip'; what: string }
  | { kind: 'ask'; question: string }
  | { kind: 'fail'; reason: string };

/** What a step can see and use: the screen, its text, the run's values and a human's note. */
export interface StepContext {
  observation: Observation;
  /** The screen's OCR lines, read on first use. */
  /** The screen's OCR lines; `thorough` adds a second reading, for what the first missed. */
  screenText(thorough?: boolean): Promise<TextLine[]>;
  variables: Record<string, string>;
  secretNames: string[];
  /** The human's answer to the question this step asked, if it asked one. */
  answer: string | null;
  attempt: number;
  /** Whether the next plan step goes to a URL (opening a browser then needs no action). */
  navigatesNext: boolean;
}

/** Tries of a step that keeps not changing the screen before a person is asked. */
export const MAX_ATTEMPTS = 3;
const RETRY_WAIT_MS = 1000;
const SCROLL_PX = 600;

export async function decideStep(step: PlanStep, context: StepContext): Promise<StepDecision> {
  switch (step.kind) {
    case 'open':
      return openApp(step.app, context);
    case 'navigate':
      return {
        kind: 'act',
        actions: [{ type: 'navigate', url: step.url }],
        what: `go to ${step.url}`,
      };
    case 'click':
      return click(step.target, step.roles, context);
    case 'type':
      return type(step, context);
    case 'key':
      return {
        kind: 'act',
        actions: [{ type: 'key', keys: step.keys }],
        what: `press ${step.keys}`,
      };
    case 'scroll':
      return scroll(step.direction, context.observation);
    case 'wait':
      return { kind: 'act', actions: [{ type: 'wait', ms: step.ms }], what: `wait ${step.ms} ms` };
    case 'check':
      return check(step.text, context);
    case 'unknown':
      return context.answer !== null
        ? { kind: 'skip', what: `a human handled "${step.text}"` }
        : {
            kind: 'ask',
            question:
              `I cannot tell how to do "${step.text}". Please do it on the screen and resume, ` +
              'or rephrase the task as steps such as open, go to, click, type, press, check.',
          };
  }
}

/** Whether the screen now shows what the step was for. */
export async function expectationHeld(
  step: PlanStep,
  context: Pick<StepContext, 'observation' | 'screenText'>,
  screenBefore: string | null,
  screenNow: string,
): Promise<boolean> {
  switch (step.kind) {
    case 'navigate':
      return context.observation.url === undefined
        ? screenBefore !== screenNow
        : sameAddress(context.observation.url, step.url);
    case 'click':
      return screenBefore !== screenNow;
    case 'open':
      return (
        browserOnly(context.observation) ||
        (await seen(context, (lines) => appShown(step.app, lines)))
      );
    case 'check':
      return visible(step.text, context);
    default:
      return true;
  }
}

/**
 * True when the screen is a browser page with nothing around it. A desktop's browser has a
 * URL too, so the URL alone does not tell; a machine that does not say is judged by it.
 */
function browserOnly(observation: Observation): boolean {
  return observation.surface === undefined
    ? observation.url !== undefined
    : observation.surface === 'browser';
}

async function openApp(app: AppName, context: StepContext): Promise<StepDecision> {
  if (browserOnly(context.observation)) {
    return app === 'browser'
      ? { kind: 'skip', what: 'the browser is on screen' }
      : { kind: 'fail', reason: `This machine is a browser only; it has no ${app}.` };
  }
  if (app === 'browser' && context.navigatesNext) {
    return { kind: 'skip', what: 'going to the address brings the browser forward' };
  }
  // LIMITATION: a desktop browser that is behind other windows is brought forward only by a
  // navigate step; reading window titles from the window manager would lift it.
  const decision = openOnDesktop(app, await context.screenText(true));
  if (decision.kind === 'shown') {
    return { kind: 'skip', what: `the ${app} is on screen` };
  }
  return { kind: 'act', actions: decision.actions, what: decision.what };
}

async function click(target: string, roles: string[], context: StepContext): Promise<StepDecision> {
  const name = quotedIn(context.answer) ?? target;
  const found = await locate(name, roles, context);
  if (found) {
    const { x, y } = found;
    return {
      kind: 'act',
      actions: [{ type: 'click', x, y, button: 'left' }],
      what: `click "${found.name}" at (${x}, ${y})`,
    };
  }
  if (context.attempt === 0) {
    // The page may still be loading: look again after a moment.
    const actions: AgentAction[] = [{ type: 'wait', ms: RETRY_WAIT_MS }];
    return { kind: 'act', actions, what: `wait for "${name}" to show`, looking: true };
  }
  if (context.attempt + 1 < MAX_ATTEMPTS) {
    // It may be below what the screen shows.
    const scrolled = scroll('down', context.observation);
    return { ...scrolled, what: `scroll down to look for "${name}"`, looking: true };
  }
  return {
    kind: 'ask',
    question:
      `I cannot find "${name}" on the screen. Please click it yourself and resume, ` +
      'or resume with its visible name in quotes.',
  };
}

async function type(
  step: Extract<PlanStep, { kind: 'type' }>,
  context: StepContext,
): Promise<StepDecision> {
  const value = step.text ?? valueFor(step.valueName ?? '', context);
  if (value === undefined) {
    const name = step.valueName ?? 'value';
    return {
      kind: 'ask',
      question:
        `What ${name} should I type? The task asks for "${name}" but the run has no ` +
        'variable for it; resume with it in the note.',
    };
  }
  const fieldName = step.into ?? step.valueName;
  const field = fieldName
    ? await locate(fieldName, ['textbox', 'searchbox', 'combobox'], context, true)
    : undefined;
  const actions: AgentAction[] = field
    ? [{ type: 'click', x: field.x, y: field.y, button: 'left' }]
    : [];
  actions.push({ type: 'type', text: value });
  const where = field ? ` into "${field.name}"` : ' where the focus is';
  const shown =
    value.includes('{{') || !step.text ? `the ${step.valueName ?? 'value'}` : `"${value}"`;
  return { kind: 'act', actions, what: `type ${shown}${where}` };
}

async function check(text: string, context: StepContext): Promise<StepDecision> {
  if (await visible(text, context)) {
    return { kind: 'skip', what: `"${text}" is visible` };
  }
  if (context.attempt + 1 < MAX_ATTEMPTS) {
    return {
      kind: 'act',
      actions: [{ type: 'wait', ms: RETRY_WAIT_MS }],
      what: `wait for "${text}" to appear`,
    };
  }
  return { kind: 'fail', reason: `"${text}" is not visible on the screen.` };
}

function scroll(
  direction: 'up' | 'down',
  observation: Observation,
): Extract<StepDecision, { kind: 'act' }> {
  const { width, height } = observation.screenshot;
  const deltaY = direction === 'down' ? SCROLL_PX : -SCROLL_PX;
  return {
    kind: 'act',
    actions: [
      {
        type: 'scroll',
        x: Math.round(width / 2),
        y: Math.round(height / 2),
        delta_y: deltaY,
        delta_x: 0,
      },
    ],
    what: `scroll ${direction}`,
  };
}

function sameAddress(current: string, wanted: string): boolean {
  const strip = (url: string) => url.replace(/\/+$/, '').replace(/^https?:\/\//, '');
  return strip(current) === strip(wanted) || strip(current).startsWith(strip(wanted));
}
