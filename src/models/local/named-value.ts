import { normalize } from './find-target.js';
import type { StepContext } from './step-decisions.js';

/** A named value: a variable or secret by a tolerant name, else the human's answer. */
export function valueFor(
  name: string,
  context: Pick<StepContext, 'variables' | 'secretNames' | 'answer'>,
): string | undefined {
  const wanted = normalize(name).replace(/ /g, '');
  const fits = (key: string) => {
    const candidate = normalize(key.replace(/_/g, ' ')).replace(/ /g, '');
    return candidate === wanted || candidate.includes(wanted) || wanted.includes(candidate);
  };
  const secret = context.secretNames.find(fits);
  if (secret) {
    return `{{${secret}}}`;
  }
  const variable = Object.keys(context.variables).find(fits);
  if (variable) {
    return `{{${variable}}}`;
  }
  return context.answer === null ? undefined : answerValue(name, context.answer);
}

function answerValue(name: string, note: string): string | undefined {
  if (/mail/i.test(name)) {
    const email = /[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>().,;]+/.exec(note)?.[0];
    if (email) {
      return email;
    }
  }
  const value = quotedIn(note) ?? note.trim().replace(/[.!]$/, '');
  return value === '' ? undefined : value;
}

/** The first quoted text of a human's note, if any. */
export function quotedIn(note: string | null): string | undefined {
  return note ? /["“]([^"”]+)["”]/.exec(note)?.[1] : undefined;
}
