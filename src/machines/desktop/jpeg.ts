import jpeg from 'jpeg-js';

import type { RgbImage } from './xwd-png.js';

/** The quality of desktop JPEG screenshots; the headless browser's CDP capture uses the same. */
const JPEG_QUALITY = 80;

/** Encodes 8-bit RGB as a baseline JPEG (jpeg-js wants RGBA; its alpha is ignored). */
export function encodeJpeg({ width, height, rgb }: RgbImage): Buffer {
  const rgba = Buffer.alloc(width * height * 4, 0xff);
  for (let pixel = 0, source = 0; source < rgb.length; pixel += 4, source += 3) {
    rgba[pixel] = rgb[source]!;
    rgba[pixel + 1] = rgb[source + 1]!;
    rgba[pixel + 2] = rgb[source + 2]!;
  }
  return jpeg.encode({ data: rgba, width, height }, JPEG_QUALITY).data;
}
