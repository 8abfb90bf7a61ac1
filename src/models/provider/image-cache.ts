import type { ModelImage } from './model-image.js';

// LIMITATION: images live in memory only, so after a restart the steps before it are shown as
// text until new screenshots fill the window; storing encoded images with the step would lift it.
/**
 * The images a model was shown lately, per run, so later requests can show them again
 * without re-encoding: the screen at the start of each step, and zoomed regions.
 */
export class ImageCache {
  private readonly runs = new Map<string, Map<string, ModelImage>>();

  constructor(
    /** Images kept per run; older ones are forgotten (requests show them as text). */
    private readonly perRun: number,
    /** Runs remembered at once; the least recently used is forgotten. */
    private readonly maxRuns = 64,
  ) {}

  get(runId: string, key: string): ModelImage | undefined {
    return this.runs.get(runId)?.get(key);
  }

  put(runId: string, key: string, image: ModelImage): void {
    let images = this.runs.get(runId);
    this.runs.delete(runId);
    if (!images) {
      images = new Map();
    }
    this.runs.set(runId, images);
    images.delete(key);
    images.set(key, image);
    while (images.size > this.perRun) {
      images.delete(images.keys().next().value as string);
    }
    while (this.runs.size > this.maxRuns) {
      this.runs.delete(this.runs.keys().next().value as string);
    }
  }
}

/** The cache key of the screen a step started with. */
export function screenKey(step: number): string {
  return `screen:${step}`;
}
