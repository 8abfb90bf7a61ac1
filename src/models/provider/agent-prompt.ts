import type { ModelInput } from '../model.js';

/**
 * The system prompt every provider adapter starts from: the run's own prompt when it replaces
 * the base, else the base with the run's instructions appended.
 */
export function systemPromptOf(input: ModelInput, toolHints: string): string {
  if (input.systemPrompt) {
    return input.systemPrompt;
  }
  const parts = [
    'You operate a computer to complete the task the user gives you. Look at each screenshot ' +
      'before acting, act in small verified steps, and check the screen after each action.',
    toolHints,
    valuesHint(input),
    'When the task is complete, stop calling tools and say what you did. If you cannot go on ' +
      'without a person (a decision, a login, missing information), ask your question instead.',
  ];
  if (input.instructions) {
    parts.push(input.instructions);
  }
  return parts.filter((part) => part.length > 0).join('\n\n');
}

function valuesHint(input: ModelInput): string {
  const names = [...Object.keys(input.variables), ...input.secretNames];
  if (names.length === 0) {
    return '';
  }
  const variables = Object.entries(input.variables).map(([name, value]) => `${name} = ${value}`);
  const lines = [
    'Named values: to type one, write its placeholder, such as {{name}}, in the typed text.',
    ...variables,
    ...input.secretNames.map((name) => `${name} = (secret; type it as {{${name}}})`),
  ];
  return lines.join('\n');
}

/** The user's first message: the task, with how many steps there are. */
export function taskMessage(input: ModelInput): string {
  return `Task: ${input.task}\n\n(You have at most ${input.maxSteps} steps.)`;
}

/** A human's answer after a pause, as the model reads it. */
export function humanNoteMessage(note: string): string {
  return `A human answered: ${note}`;
}
