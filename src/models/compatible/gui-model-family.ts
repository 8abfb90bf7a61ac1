import { ScreenScale, smartResize } from '../provider/screen-scale.js';

/** How a GUI model writes its actions. */
export type ActionFormat = 'ui-tars' | 'qwen';

/**
 * Where a GUI model's coordinates live: the pixels of the image as its processor resized it
 * (each side rounded to a multiple of 28), or a 0–1000 grid over the whole screen.
 */
export type CoordinateSpace = 'resized-pixels' | 'grid-1000';

export interface GuiModelFamily {
  format: ActionFormat;
  coordinates: CoordinateSpace;
}

/**
 * The family a served model belongs to, by its name: UI-TARS 1.5 and later and Qwen2.5-VL
 * answer in resized pixels; UI-TARS 1.0, Qwen2-VL and Qwen3-VL on the 0–1000 grid.
 * Either part can be set by the operator for a model whose name does not tell.
 */
export function familyOf(model: string, overrides: Partial<GuiModelFamily> = {}): GuiModelFamily {
  const name = model.toLowerCase();
  const tars = /ui[-_]?tars/.test(name);
  const format: ActionFormat = overrides.format ?? (tars ? 'ui-tars' : 'qwen');
  const resized = tars ? /ui[-_]?tars[-_]?(1[._]?5|2)/.test(name) : /qwen2[._]?5/.test(name);
  const coordinates = overrides.coordinates ?? (resized ? 'resized-pixels' : 'grid-1000');
  return { format, coordinates };
}

/** The size the model reasons in when it sees an image of `width`×`height`. */
export function spaceOf(
  coordinates: CoordinateSpace,
  width: number,
  height: number,
): { width: number; height: number } {
  return coordinates === 'grid-1000' ? { width: 1000, height: 1000 } : smartResize(width, height);
}

/** The scale from the model's space to the screen, for an image sent at `sent` size. */
export function scaleFor(
  coordinates: CoordinateSpace,
  screen: { width: number; height: number },
  sent: { width: number; height: number },
): ScreenScale {
  const space = spaceOf(coordinates, sent.width, sent.height);
  return new ScreenScale(screen.width, screen.height, space.width, space.height);
}
