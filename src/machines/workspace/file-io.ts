import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

import { AppError } from '../../errors/index.js';
import { translateFsError } from './file-content.js';
import type { ResolvedPath } from './resolve-path.js';

// O_NOFOLLOW narrows the window for a symlink swapped in after the check; O_NONBLOCK
// keeps a FIFO planted in the home from hanging the server on open.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
export const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
export const TRUNCATE = constants.O_TRUNC;
export const APPEND = constants.O_APPEND;

/** Reads up to `maxBytes` from the start of a regular file; `size` is the whole file's. */
export async function readBytes(
  target: ResolvedPath,
  maxBytes: number,
): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(target.real, READ_FLAGS).catch((error) => {
    throw translateFsError(error, target.relative);
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw notRegular(target);
    }

    const bytes = Buffer.alloc(Math.min(stats.size, maxBytes));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) {
        break;
      }
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), size: stats.size };
  } finally {
    await handle.close();
  }
}

/** Writes all bytes to a regular file opened with `flags`; returns its size after. */
export async function writeBytes(
  target: ResolvedPath,
  bytes: Buffer,
  flags: number,
): Promise<number> {
  const handle = await open(target.real, flags, 0o644).catch((error) => {
    throw translateFsError(error, target.relative);
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw notRegular(target);
    }
    await handle.writeFile(bytes);
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

function notRegular(target: ResolvedPath): AppError {
  return new AppError('VALIDATION_ERROR', `'${target.relative}' is not a regular file.`, {
    details: { field: 'path' },
  });
}
