import type { ModelAction } from '../model.js';

/** What a GUI model's text reply says to do, coordinates still in the model's space. */
export interface ParsedReply {
  thought?: string;
  actions: ModelAction[];
  done?: { success: boolean; summary: string };
  needsHuman?: { reason: string };
  /** Parts of the reply that could not be read, for the model to be told. */
  problems: string[];
}

/** A point from whatever the model wrote: `(x,y)`, `x y`, `[x,y]`, or a box's centre. */
export function pointOf(text: unknown): { x: number; y: number } | undefined {
  const numbers = String(text ?? '')
    .match(/-?\d+(\.\d+)?/g)
    ?.map(Number);
  if (!numbers || (numbers.length !== 2 && numbers.length !== 4)) {
    return undefined;
  }
  const [x1 = 0, y1 = 0, x2 = x1, y2 = y1] = numbers;
  return { x: (x1 + x2) / 2, y: (y1 + y2) / 2 };
}
