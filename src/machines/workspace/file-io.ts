import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { AppError } from '../../errors/index.js';
import { openNoFollow } from './beneath.js';
import { translateFsError } from './file-content.js';
import { errorCode } from './resolve-path.js';
import type { HomeDir } from './beneath.js';
import type { ResolvedPath } from './resolve-path.js';

// O_NONBLOCK keeps a FIFO planted in the home from hanging the server on open; the walk
// beneath the home never follows a symlink, so one swapped in after the check is refused.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_NONBLOCK;

export interface WriteMode {
  /** Add to the end instead of replacing the content. */
  append: boolean;
  /** Create missing parent directories. */
  createDirs: boolean;
}

/** Reads up to `maxBytes` from the start of a regular file; `size` is the whole file's. */
export async function readBytes(
  home: HomeDir,
  target: ResolvedPath,
  maxBytes: number,
): Promise<{ bytes: Buffer; size: number }> {
  const handle = await home
    .inParent(target.real, (at, name) => openNoFollow(at(name), READ_FLAGS, target.relative))
    .catch((error) => {
      throw translate(error, target);
    });
  try {
    const stats = await handle.stat();
    checkFile(home, stats, target);

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

/**
 * Writes all bytes to a regular file, creating it (for the machine's user) when missing;
 * returns its size after. An existing file is only changed once it proved to be the machine's.
 */
export async function writeBytes(
  home: HomeDir,
  target: ResolvedPath,
  bytes: Buffer,
  mode: WriteMode,
): Promise<number> {
  const flags = WRITE_FLAGS | (mode.append ? constants.O_APPEND : 0);
  const { handle, created } = await home
    .inParent(target.real, (at, name) => openOrCreate(at(name), flags, target), mode.createDirs)
    .catch((error) => {
      throw translate(error, target);
    });
  try {
    const stats = await handle.stat();
    if (created) {
      await home.giveToOwner(handle);
    } else {
      checkFile(home, stats, target);
    }
    if (!mode.append) {
      await handle.truncate(0);
    }
    await handle.writeFile(bytes);
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

async function openOrCreate(
  at: string,
  flags: number,
  target: ResolvedPath,
): Promise<{ handle: FileHandle; created: boolean }> {
  try {
    return { handle: await openNoFollow(at, flags, target.relative), created: false };
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw error;
    }
  }
  const exclusive = flags | constants.O_CREAT | constants.O_EXCL;
  return { handle: await openNoFollow(at, exclusive, target.relative, 0o644), created: true };
}

function checkFile(home: HomeDir, stats: { uid: number; isFile(): boolean }, target: ResolvedPath) {
  if (!stats.isFile()) {
    throw new AppError('VALIDATION_ERROR', `'${target.relative}' is not a regular file.`, {
      details: { field: 'path' },
    });
  }
  // A hard link to a file of another user (root's, say) lands in the home looking like any
  // other file; the machine's user owning it is what makes it the machine's to touch.
  if (!home.ownedByMachine(stats)) {
    throw new AppError('VALIDATION_ERROR', `'${target.relative}' is not the machine's own file.`, {
      details: { field: 'path', reason: 'owned by another user' },
    });
  }
}

function translate(error: unknown, target: ResolvedPath): unknown {
  return error instanceof AppError ? error : translateFsError(error, target.relative);
}
