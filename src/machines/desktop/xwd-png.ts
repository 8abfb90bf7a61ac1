/**
 * Turns the X Window Dump that `xwd -root` writes into a PNG, in process: decoding a
 * TrueColor dump is a loop over pixels, and node:zlib does the compression, so no image tool
 * runs per screenshot (xwd piped through ImageMagick's convert costs ~100 ms at 1280×800).
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** 8-bit RGB pixels, row after row, three bytes each. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Buffer;
}

// Offsets of the 32-bit big-endian header fields (XWDFileHeader in X11/XWDFile.h).
const HEADER = {
  headerSize: 0,
  version: 4,
  format: 8,
  width: 16,
  height: 20,
  byteOrder: 28,
  bitsPerPixel: 44,
  bytesPerLine: 48,
  visualClass: 52,
  redMask: 56,
  greenMask: 60,
  blueMask: 64,
  ncolors: 76,
} as const;

const XWD_VERSION = 7;
const Z_PIXMAP = 2;
const TRUE_COLOR = 4;
const DIRECT_COLOR = 5;
const COLOR_ENTRY_BYTES = 12;

/** Decodes a 24- or 32-bit TrueColor ZPixmap dump, the kind Xvfb at depth 24 produces. */
export function decodeXwd(dump: Buffer): RgbImage {
  const field = (offset: number): number => dump.readUInt32BE(offset);
  if (dump.length < 100 || field(HEADER.version) !== XWD_VERSION) {
    throw new Error('xwd wrote something that is not an X Window Dump (version 7)');
  }

  const visualClass = field(HEADER.visualClass);
  const bitsPerPixel = field(HEADER.bitsPerPixel);
  if (
    field(HEADER.format) !== Z_PIXMAP ||
    (visualClass !== TRUE_COLOR && visualClass !== DIRECT_COLOR)
  ) {
    throw new Error('the X screen is not a TrueColor ZPixmap; start Xvfb with depth 24');
  }
  if (bitsPerPixel !== 32 && bitsPerPixel !== 24) {
    throw new Error(`the X screen uses ${bitsPerPixel} bits per pixel; only 24 and 32 are decoded`);
  }

  const width = field(HEADER.width);
  const height = field(HEADER.height);
  const dataOffset = field(HEADER.headerSize) + field(HEADER.ncolors) * COLOR_ENTRY_BYTES;
  const bytesPerLine = field(HEADER.bytesPerLine);
  if (dump.length < dataOffset + bytesPerLine * height) {
    throw new Error('the X Window Dump is truncated');
  }

  const pixels = dump.subarray(dataOffset);
  const layout = {
    width,
    height,
    bytesPerLine,
    bytesPerPixel: bitsPerPixel / 8,
    littleEndian: field(HEADER.byteOrder) === 0,
    masks: [field(HEADER.redMask), field(HEADER.greenMask), field(HEADER.blueMask)] as const,
  };
  return { width, height, rgb: extractRgb(pixels, layout) };
}

interface PixelLayout {
  width: number;
  height: number;
  bytesPerLine: number;
  bytesPerPixel: number;
  littleEndian: boolean;
  masks: readonly [number, number, number];
}

function extractRgb(pixels: Buffer, layout: PixelLayout): Buffer {
  const { width, height, bytesPerLine, bytesPerPixel, littleEndian } = layout;
  const [redShift, greenShift, blueShift] = layout.masks.map(maskShift);
  const rgb = Buffer.allocUnsafe(width * height * 3);
  let out = 0;

  for (let y = 0; y < height; y += 1) {
    let offset = y * bytesPerLine;
    for (let x = 0; x < width; x += 1) {
      const value = readPixel(pixels, offset, bytesPerPixel, littleEndian);
      rgb[out] = (value >>> redShift!) & 0xff;
      rgb[out + 1] = (value >>> greenShift!) & 0xff;
      rgb[out + 2] = (value >>> blueShift!) & 0xff;
      out += 3;
      offset += bytesPerPixel;
    }
  }
  return rgb;
}

function readPixel(pixels: Buffer, offset: number, bytes: number, littleEndian: boolean): number {
  if (bytes === 4) {
    return littleEndian ? pixels.readUInt32LE(offset) : pixels.readUInt32BE(offset);
  }
  return littleEndian ? pixels.readUIntLE(offset, 3) : pixels.readUIntBE(offset, 3);
}

/** Where an 8-bit channel mask such as 0x00ff0000 starts. */
function maskShift(mask: number): number {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) {
    shift += 1;
  }
  return shift;
}

/** Encodes 8-bit RGB as a PNG with no filtering; screens of flat colour compress well anyway. */
export async function encodePng({ width, height, rgb }: RgbImage): Promise<Buffer> {
  const rowBytes = width * 3;
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y += 1) {
    // Each row starts with its filter type, 0 (none), left by Buffer.alloc.
    rgb.copy(raw, y * (rowBytes + 1) + 1, y * rowBytes, (y + 1) * rowBytes);
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter, no interlace

  const compressed = await deflateAsync(raw, { level: 3 });
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', compressed),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) {
    value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  }
  return value >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
