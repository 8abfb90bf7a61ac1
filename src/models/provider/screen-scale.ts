import type { ModelAction } from '../model.js';

/** A point in the model's coordinate space. */
export interface ModelPoint {
  x: number;
  y: number;
}

/**
 * Maps the model's coordinates to screen pixels. The model works in a space of
 * `spaceWidth`×`spaceHeight` (the pixels of the image it saw, or a fixed grid such as
 * 1000×1000) that stretches over the whole screen.
 */
export class ScreenScale {
  constructor(
    readonly screenWidth: number,
    readonly screenHeight: number,
    readonly spaceWidth: number,
    readonly spaceHeight: number,
  ) {}

  /** The screen pixel of a model point, inside the screen. */
  toScreen(point: ModelPoint): { x: number; y: number } {
    return {
      x: scaleAxis(point.x, this.spaceWidth, this.screenWidth),
      y: scaleAxis(point.y, this.spaceHeight, this.screenHeight),
    };
  }

  /** The model point of a screen pixel (to tell the model where the pointer is). */
  toModel(point: { x: number; y: number }): ModelPoint {
    return {
      x: scaleAxis(point.x, this.screenWidth, this.spaceWidth),
      y: scaleAxis(point.y, this.screenHeight, this.spaceHeight),
    };
  }

  /** The action with every coordinate (both ends of a drag, the scroll anchor) on the screen. */
  actionToScreen(action: ModelAction): ModelAction {
    switch (action.type) {
      case 'click':
      case 'double_click':
      case 'move':
      case 'scroll':
        return { ...action, ...this.toScreen(action) };
      case 'drag':
        return { ...action, from: this.toScreen(action.from), to: this.toScreen(action.to) };
      default:
        return action;
    }
  }
}

// Rounds to the nearest pixel and keeps it on the screen; a model may point at the very edge.
function scaleAxis(value: number, from: number, to: number): number {
  const scaled = Math.round((value * to) / from);
  return Math.min(Math.max(scaled, 0), to - 1);
}

/**
 * The size Qwen-VL's image processor (and UI-TARS-1.5's) resizes an image to: each side
 * rounded to a multiple of `factor`, the area kept within [minPixels, maxPixels].
 */
export function smartResize(
  width: number,
  height: number,
  factor = 28,
  minPixels = 56 * 56,
  maxPixels = 16384 * 28 * 28,
): { width: number; height: number } {
  let resizedWidth = Math.max(factor, Math.round(width / factor) * factor);
  let resizedHeight = Math.max(factor, Math.round(height / factor) * factor);
  if (resizedWidth * resizedHeight > maxPixels) {
    const beta = Math.sqrt((width * height) / maxPixels);
    resizedWidth = Math.max(factor, Math.floor(width / beta / factor) * factor);
    resizedHeight = Math.max(factor, Math.floor(height / beta / factor) * factor);
  } else if (resizedWidth * resizedHeight < minPixels) {
    const beta = Math.sqrt(minPixels / (width * height));
    resizedWidth = Math.ceil((width * beta) / factor) * factor;
    resizedHeight = Math.ceil((height * beta) / factor) * factor;
  }
  return { width: resizedWidth, height: resizedHeight };
}
