import { findInElements, findInText, screenTextOf, textVisible } from './find-target.js';
import type { ScreenTarget } from './find-target.js';
import type { TextLine } from './screen-text.js';
import type { StepContext } from './step-decisions.js';

/** Whether the screen's text satisfies `holds`, at a first reading or else a thorough one. */
export async function seen(
  context: Pick<StepContext, 'screenText'>,
  holds: (lines: TextLine[]) => boolean,
): Promise<boolean> {
  return holds(await context.screenText()) || holds(await context.screenText(true));
}

export function visible(text: string, context: Pick<StepContext, 'observation' | 'screenText'>) {
  const { elements, terminalText } = context.observation;
  return seen(context, (lines) =>
    textVisible(`${screenTextOf(lines, elements)}\n${terminalText ?? ''}`, text),
  );
}

/** A target by name: the machine's element list first, then OCR of the screenshot. */
export async function locate(
  name: string,
  roles: string[],
  context: StepContext,
  rolesOnly = false,
): Promise<ScreenTarget | undefined> {
  const elements = context.observation.elements ?? [];
  const candidates = rolesOnly
    ? elements.filter((element) => roles.includes(element.role))
    : elements;
  const fromElements = findInElements(candidates, name, roles);
  if (fromElements) {
    return fromElements;
  }
  return (
    findInText(await context.screenText(), name) ?? findInText(await context.screenText(true), name)
  );
}
