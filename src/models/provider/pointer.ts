import type { ModelInput } from '../model.js';

/** Where the pointer is, in screen pixels: the last point an earlier action went to. */
export function lastPointer(input: ModelInput): { x: number; y: number } {
  for (const record of [...input.history].reverse()) {
    for (const action of [...record.decision.actions].reverse()) {
      if (action.type === 'drag') {
        return action.to;
      }
      if ('x' in action && 'y' in action) {
        return { x: action.x, y: action.y };
      }
    }
  }
  const { width, height } = input.observation.screenshot;
  return { x: Math.floor(width / 2), y: Math.floor(height / 2) };
}
