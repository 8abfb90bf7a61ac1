import type { Step } from './steps.js';

type Path = Array<string | number>;

/** The lists of steps nested in a step, each with the path to it inside the step. */
export function childSteps(step: Step): Array<{ steps: Step[]; path: Path }> {
  switch (step.type) {
    case 'if':
      return [
        { steps: step.then, path: ['then'] },
        ...(step.else ? [{ steps: step.else, path: ['else'] }] : []),
      ];
    case 'loop':
      return [{ steps: step.steps, path: ['steps'] }];
    case 'parallel':
      return step.branches.map((branch, index) => ({
        steps: branch.steps,
        path: ['branches', index, 'steps'],
      }));
    case 'retry':
      return [{ steps: [step.step], path: ['step'] }];
    default:
      return [];
  }
}

/** Visits every step, nested ones included, depth first, with its path in the definition. */
export function walkSteps(steps: Step[], path: Path, visit: (step: Step, path: Path) => void) {
  steps.forEach((step, index) => {
    // A retry's step is a single object, not a list: its path has no index.
    const stepPath = path.at(-1) === 'step' ? path : [...path, index];
    visit(step, stepPath);
    for (const child of childSteps(step)) {
      walkSteps(child.steps, [...stepPath, ...child.path], visit);
    }
  });
}
