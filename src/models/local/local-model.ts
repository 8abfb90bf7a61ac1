import type { DecideOptions, Model, ModelDecision, ModelInput } from '../model.js';
import { fingerprint, progressOf, reasoningFor } from './progress.js';
import type { Progress } from './progress.js';
import { tesseractReader } from './screen-text.js';
import type { ReadScreenText, TextLine } from './screen-text.js';
import { OPEN_ATTEMPTS } from './desktop-apps.js';
import { MAX_ATTEMPTS, decideStep, expectationHeld } from './step-decisions.js';
import type { StepContext } from './step-decisions.js';
import { planTask } from './task-plan.js';
import type { PlanStep } from './task-plan.js';

export interface LocalModelOptions {
  /** How the screen's words are read; Debian's tesseract by default. */
  readScreenText?: ReadScreenText;
}

/**
 * An offline agent that needs no key. It turns a plain imperative task into steps, finds
 * each step's target on the screen (the machine's element list, else OCR of the screenshot),
 * acts only with screen actions, checks after each action that the screen changed as it
 * should, and asks a human for what it cannot find or was not given.
 */
export class LocalModel implements Model {
  readonly name = 'local';
  private readonly readScreenText: ReadScreenText;

  constructor(options: LocalModelOptions = {}) {
    this.readScreenText = options.readScreenText ?? tesseractReader();
  }

  async decide(input: ModelInput, { signal }: DecideOptions): Promise<ModelDecision> {
    const plan = planTask(input.task);
    const screenText = screenReader(this.readScreenText, input.observation.screenshot.data, signal);
    const screenNow = fingerprint(input.observation);

    const progress = await progressOf(input.history, async (index, screenBefore) => {
      const step = plan[index];
      return (
        step === undefined ||
        expectationHeld(
          step,
          { observation: input.observation, screenText },
          screenBefore,
          screenNow,
        )
      );
    });
    if (plan.length === 0) {
      const question =
        'I cannot read any step in the task. Please write it as steps such as ' +
        'open, go to, click, type, press, check.';
      return { actions: [], needsHuman: { reason: question } };
    }
    if (progress.afterDone || progress.index >= plan.length) {
      return finished(plan, progress, input);
    }
    if (progress.attempt >= attemptsFor(plan[progress.index]!)) {
      return ask(plan, progress, input, stuckQuestion(plan[progress.index]!));
    }
    return this.walk(plan, progress, input, screenText);
  }

  /** Goes past steps that need no action, to one that needs an action or a person, or the end. */
  private async walk(
    plan: PlanStep[],
    progress: Progress,
    input: ModelInput,
    screenText: (thorough?: boolean) => Promise<TextLine[]>,
  ): Promise<ModelDecision> {
    const skipped: string[] = [];
    for (let index = progress.index; index < plan.length; index += 1) {
      const first = index === progress.index;
      const context: StepContext = {
        observation: input.observation,
        screenText,
        variables: input.variables,
        secretNames: input.secretNames,
        answer: first && progress.answered ? input.humanNote : null,
        attempt: first ? progress.attempt : 0,
        navigatesNext: plan[index + 1]?.kind === 'navigate',
      };
      const at = { ...progress, index, attempt: context.attempt };
      const decision = await decideStep(plan[index]!, context);
      if (decision.kind === 'skip') {
        skipped.push(decision.what);
        continue;
      }
      if (decision.kind === 'ask') {
        return ask(plan, at, input, decision.question);
      }
      if (decision.kind === 'fail') {
        const reasoning = reasoningFor(
          index,
          plan.length,
          at.attempt,
          decision.reason,
          input.observation,
        );
        return { actions: [], reasoning, done: { success: false, summary: decision.reason } };
      }
      const what = [...skipped, decision.what].join('; ');
      const looking = decision.looking ?? false;
      const { observation } = input;
      const reasoning = reasoningFor(index, plan.length, at.attempt, what, observation, looking);
      return { actions: decision.actions, reasoning, text: capitalize(decision.what) + '.' };
    }
    return finished(plan, { ...progress, index: plan.length }, input, skipped);
  }
}

/** The screen's OCR lines, read once per way: `thorough` adds a second way's lines. */
function screenReader(read: ReadScreenText, image: Buffer, signal: AbortSignal) {
  let sparse: Promise<TextLine[]> | undefined;
  let thoroughLines: Promise<TextLine[]> | undefined;
  const first = () => (sparse ??= read(image, signal));
  return (thorough = false): Promise<TextLine[]> => {
    if (!thorough) {
      return first();
    }
    thoroughLines ??= Promise.all([first(), read(image, signal, { mode: 'enlarged' })]).then(
      ([lines, more]) => [...lines, ...more],
    );
    return thoroughLines;
  };
}

function finished(plan: PlanStep[], progress: Progress, input: ModelInput, skipped: string[] = []) {
  const notes = skipped.map((what) => `; ${what}`).join('');
  const summary =
    progress.afterDone && input.humanNote
      ? `Every step of the task is done; nothing more to try for: ${input.humanNote}`
      : `Did the ${stepsWord(plan.length)} of the task${notes}.`;
  const reasoning = reasoningFor(plan.length, plan.length, 0, 'done', input.observation);
  return { actions: [], reasoning, done: { success: true, summary } };
}

function ask(
  plan: PlanStep[],
  progress: Progress,
  input: ModelInput,
  question: string,
): ModelDecision {
  const reasoning = reasoningFor(
    progress.index,
    plan.length,
    progress.attempt,
    `ask: ${question}`,
    input.observation,
  );
  return { actions: [], reasoning, needsHuman: { reason: question } };
}

function stuckQuestion(step: PlanStep): string {
  const tries = `${MAX_ATTEMPTS} tries`;
  switch (step.kind) {
    case 'click':
      return (
        `I clicked "${step.target}" ${tries} but the screen did not change. ` +
        'Please do it and resume.'
      );
    case 'navigate':
      return (
        `The browser did not reach ${step.url} after ${tries}. ` +
        'Please check the address and resume.'
      );
    case 'open':
      return `I could not bring the ${step.app} on screen. Please open it and resume.`;
    default:
      return (
        `The screen did not change as expected after ${tries} at this step. ` +
        'Please help and resume.'
      );
  }
}

function attemptsFor(step: PlanStep): number {
  return step.kind === 'open' ? OPEN_ATTEMPTS : MAX_ATTEMPTS;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function stepsWord(count: number): string {
  return count === 1 ? 'one step' : `${count} steps`;
}
