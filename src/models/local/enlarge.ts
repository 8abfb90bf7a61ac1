import { PNG } from 'pngjs';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/**
 * The PNG at `factor` times its size, each pixel repeated: OCR reads small text (a terminal's
 * font, a manual's menu) far better at twice the size. Undefined for an image that is not PNG.
 */
export function enlargePng(image: Buffer, factor: number): Buffer | undefined {
  if (!image.subarray(0, 4).equals(PNG_SIGNATURE)) {
    return undefined;
  }
  const source = PNG.sync.read(image);
  const target = new PNG({ width: source.width * factor, height: source.height * factor });
  const rowBytes = target.width * 4;
  for (let y = 0; y < source.height; y += 1) {
    const row = Buffer.alloc(rowBytes);
    for (let x = 0; x < source.width; x += 1) {
      const pixel = source.data.subarray(
        (y * source.width + x) * 4,
        (y * source.width + x) * 4 + 4,
      );
      for (let copy = 0; copy < factor; copy += 1) {
        pixel.copy(row, (x * factor + copy) * 4);
      }
    }
    for (let copy = 0; copy < factor; copy += 1) {
      row.copy(target.data, (y * factor + copy) * rowBytes);
    }
  }
  // Speed over size: the image only travels to tesseract's stdin.
  return PNG.sync.write(target, { deflateLevel: 1 });
}
