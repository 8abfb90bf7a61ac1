/**
 * Walks from the real home to a target one component at a time through open directory
 * handles, never following a symlink, as openat2(RESOLVE_BENEATH) would. A check done on
 * paths beforehand can be raced (a directory swapped for a symlink to `/` between check and
 * use); a walk on handles cannot: each step starts from the directory the last step opened.
 */
import { constants } from 'node:fs';
import { chown, mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../../errors/index.js';
import { errorCode } from './resolve-path.js';

/** The Unix user a machine's files belong to, when it has one of its own. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** A name inside an open directory, usable as a path by every fs call. */
export type AtPath = (name: string) => string;

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** The home as the kernel sees it, and who its files belong to. */
export class HomeDir {
  constructor(
    readonly realHome: string,
    readonly owner?: FileOwner,
  ) {}

  /**
   * Opens the directory holding `target` (a real path inside the home) beneath the home and
   * calls `use` with a path maker for names in it and the target's own name (`.` for the home
   * itself). `createDirs` makes missing directories on the way, owned by the machine's user.
   */
  async inParent<T>(
    target: string,
    use: (at: AtPath, name: string) => Promise<T>,
    createDirs = false,
  ): Promise<T> {
    const parts = path.relative(this.realHome, target).split(path.sep).filter(Boolean);
    if (parts.includes('..')) {
      throw escaped(target);
    }
    const name = parts.pop() ?? '.';

    let directory = await open(this.realHome, DIRECTORY_FLAGS);
    try {
      for (const part of parts) {
        const next = await this.openChild(directory, part, createDirs);
        await directory.close();
        directory = next;
      }
      return await use(atPath(directory), name);
    } finally {
      await directory.close();
    }
  }

  /** Opens a directory beneath the home, for listing; the caller closes it. */
  async openDirectory(target: string): Promise<FileHandle> {
    return this.inParent(target, (at, name) => openNoFollow(at(name), DIRECTORY_FLAGS, target));
  }

  /** Opens a subdirectory of an open directory without following a symlink. */
  openChild(directory: FileHandle, name: string, create = false): Promise<FileHandle> {
    const at = atPath(directory);
    return openNoFollow(at(name), DIRECTORY_FLAGS, name).catch(async (error: unknown) => {
      if (!create || errorCode(error) !== 'ENOENT') {
        throw error;
      }
      await mkdir(at(name), { mode: 0o700 }).catch((made: unknown) => {
        if (errorCode(made) !== 'EEXIST') {
          throw made;
        }
      });
      const created = await openNoFollow(at(name), DIRECTORY_FLAGS, name);
      if (this.owner !== undefined) {
        await created.chown(this.owner.uid, this.owner.gid);
      }
      return created;
    });
  }

  /** Hands a file the server created to the machine's user. */
  async giveToOwner(file: FileHandle | string): Promise<void> {
    if (this.owner === undefined) {
      return;
    }
    await (typeof file === 'string'
      ? chown(file, this.owner.uid, this.owner.gid)
      : file.chown(this.owner.uid, this.owner.gid));
  }

  /** False when the machine has a user of its own and the file is not that user's. */
  ownedByMachine(stats: { uid: number }): boolean {
    return this.owner === undefined || stats.uid === this.owner.uid;
  }
}

/** `/proc/self/fd/N/name`: the kernel resolves it from the open directory itself. */
export function atPath(directory: FileHandle): AtPath {
  return (name) => `/proc/self/fd/${directory.fd}/${name}`;
}

/** open() that reports a symlink met on the way as a refused path. */
export async function openNoFollow(
  at: string,
  flags: number,
  shown: string,
  mode?: number,
): Promise<FileHandle> {
  try {
    return await open(at, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    throw errorCode(error) === 'ELOOP' ? escaped(shown) : error;
  }
}

function escaped(shown: string): AppError {
  const reason = 'it goes through a symlink (one changed while the command ran)';
  return new AppError('VALIDATION_ERROR', `Path '${path.basename(shown)}' is refused: ${reason}.`, {
    details: { field: 'path', reason },
  });
}
