import sharp from 'sharp';

import type { Observation } from '../../machines/index.js';

/** What a provider accepts of one image, and the size it reads best. */
export interface ImageLimits {
  /** The image is scaled down (never up) to fit this box, keeping its aspect. */
  fitWidthPx: number;
  fitHeightPx: number;
  /** The most base64 characters of one image; a larger encoding is shrunk until it fits. */
  maxBase64Bytes: number;
}

/** An image as sent to a model, and the size the model sees. */
export interface ModelImage {
  base64: string;
  mediaType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

export type Screenshot = Observation['screenshot'];

/** The size an image of `width`×`height` is sent at to fit the box; never larger. */
export function fitSize(width: number, height: number, limits: ImageLimits) {
  const scale = Math.min(1, limits.fitWidthPx / width, limits.fitHeightPx / height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Encodes the screenshot for a model at the fitted size: PNG when it fits the byte limit,
 * else JPEG at falling quality, then smaller sizes, until the encoding is within the limit.
 */
export async function encodeScreenshot(
  screenshot: Screenshot,
  limits: ImageLimits,
): Promise<ModelImage> {
  let size = fitSize(screenshot.width, screenshot.height, limits);
  const unchanged = size.width === screenshot.width && size.height === screenshot.height;
  if (unchanged && base64Length(screenshot.data.length) <= limits.maxBase64Bytes) {
    const mediaType = screenshot.format === 'png' ? 'image/png' : 'image/jpeg';
    return { base64: screenshot.data.toString('base64'), mediaType, ...size };
  }
  for (;;) {
    const resized = sharp(screenshot.data).resize(size.width, size.height, { fit: 'fill' });
    const png = await resized.clone().png({ compressionLevel: 6 }).toBuffer();
    if (base64Length(png.length) <= limits.maxBase64Bytes) {
      return { base64: png.toString('base64'), mediaType: 'image/png', ...size };
    }
    for (const quality of [85, 70, 50]) {
      const jpeg = await resized.clone().jpeg({ quality }).toBuffer();
      if (base64Length(jpeg.length) <= limits.maxBase64Bytes) {
        return { base64: jpeg.toString('base64'), mediaType: 'image/jpeg', ...size };
      }
    }
    size = { width: Math.round(size.width * 0.75), height: Math.round(size.height * 0.75) };
  }
}

/** A region of the screen, in screen pixels, encoded like a screenshot (a zoom's answer). */
export async function encodeRegion(
  screenshot: Screenshot,
  region: { left: number; top: number; width: number; height: number },
  limits: ImageLimits,
): Promise<ModelImage> {
  const left = clamp(Math.round(region.left), 0, screenshot.width - 1);
  const top = clamp(Math.round(region.top), 0, screenshot.height - 1);
  const width = clamp(Math.round(region.width), 1, screenshot.width - left);
  const height = clamp(Math.round(region.height), 1, screenshot.height - top);
  const data = await sharp(screenshot.data).extract({ left, top, width, height }).png().toBuffer();
  return encodeScreenshot({ format: 'png', data, width, height }, limits);
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
