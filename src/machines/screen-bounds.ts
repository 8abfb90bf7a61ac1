import type { AgentAction } from '../contracts/index.js';
import type { ActionOutcome } from './driver.js';

export interface Point {
  x: number;
  y: number;
}

export interface ScreenSize {
  width: number;
  height: number;
}

/** The screen points an action touches: its target, or both ends of a drag. */
function pointsOf(action: AgentAction): Point[] {
  switch (action.type) {
    case 'click':
    case 'double_click':
    case 'move':
    case 'scroll':
      return [action];
    case 'drag':
      return [action.from, action.to];
    default:
      return [];
  }
}

/**
 * A failed outcome when the action touches a point outside the screen, so every driver
 * refuses it alike and sends nothing; undefined when it stays on the screen.
 */
export function refuseOffScreen(
  action: AgentAction,
  screen: ScreenSize,
): ActionOutcome | undefined {
  const outside = pointsOf(action).find(({ x, y }) => x >= screen.width || y >= screen.height);
  if (outside === undefined) {
    return undefined;
  }
  const where = `(${outside.x}, ${outside.y})`;
  return {
    ok: false,
    error: `Coordinates ${where} are outside the ${screen.width}x${screen.height} screen.`,
  };
}
