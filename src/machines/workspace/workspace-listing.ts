import { lstat, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

import { AppError } from '../../errors/index.js';
import { atPath } from './beneath.js';
import { translateFsError } from './file-content.js';
import type { HomeDir } from './beneath.js';
import type { ResolvedPath } from './resolve-path.js';

export type FileEntryType = 'file' | 'directory' | 'symlink' | 'other';

/** One entry of a directory listing. */
export interface FileEntry {
  /** The name relative to the listed directory (`sub/file.txt` when recursive). */
  name: string;
  /** The path relative to the machine home. */
  path: string;
  /** Symlinks are reported as such and never followed. */
  type: FileEntryType;
  size: number;
  /** Last modification, ISO 8601. */
  modified: string;
}

export interface ListOptions {
  /** Descend into subdirectories; default false. */
  recursive?: boolean;
  /** The most entries to return; default 1,000, at most 10,000. */
  limit?: number;
}

export interface ListResult {
  path: string;
  entries: FileEntry[];
  /** True when the limit cut the listing short. */
  truncated: boolean;
}

const DEFAULT_LIMIT = 1_000;
const MAX_LIMIT = 10_000;

/**
 * Lists a directory that `resolveWorkspacePath` has already confined to the home, through
 * directory handles opened beneath it, so a subdirectory swapped for a symlink is not entered.
 */
export async function listDirectory(
  home: HomeDir,
  target: ResolvedPath,
  options: ListOptions,
): Promise<ListResult> {
  const limit = checkLimit(options.limit);
  const directory = await home.openDirectory(target.real).catch((error) => {
    throw listingError(error, target);
  });

  try {
    const entries: FileEntry[] = [];
    const walk = {
      home,
      entries,
      limit,
      recursive: options.recursive ?? false,
      truncated: false,
    };
    await walkDirectory(walk, directory, '', target.relative);
    return { path: target.relative, entries, truncated: walk.truncated };
  } finally {
    await directory.close();
  }
}

interface Walk {
  home: HomeDir;
  entries: FileEntry[];
  limit: number;
  recursive: boolean;
  truncated: boolean;
}

async function walkDirectory(
  walk: Walk,
  directory: FileHandle,
  namePrefix: string,
  pathPrefix: string,
): Promise<void> {
  const at = atPath(directory);
  const names = (await readdir(at('.'))).sort();

  for (const name of names) {
    if (walk.entries.length >= walk.limit) {
      walk.truncated = true;
      return;
    }
    const entry = await describe(at(name), joinPosix(namePrefix, name));
    if (entry === undefined) {
      continue;
    }
    entry.path = joinPosix(pathPrefix, entry.name);
    walk.entries.push(entry);

    if (walk.recursive && entry.type === 'directory') {
      // Gone or turned into a symlink since lstat: a listing is a snapshot, so it is skipped.
      const child = await walk.home.openChild(directory, name).catch(() => undefined);
      if (child !== undefined) {
        await walkDirectory(walk, child, entry.name, pathPrefix).finally(() => child.close());
      }
    }
  }
}

async function describe(absolute: string, name: string): Promise<FileEntry | undefined> {
  try {
    const stats = await lstat(absolute);
    return {
      name,
      path: name,
      type: entryType(stats),
      size: stats.size,
      modified: stats.mtime.toISOString(),
    };
  } catch {
    // The entry vanished between readdir and lstat; a listing is a snapshot anyway.
    return undefined;
  }
}

function entryType(stats: Awaited<ReturnType<typeof lstat>>): FileEntryType {
  if (stats.isSymbolicLink()) {
    return 'symlink';
  }
  if (stats.isDirectory()) {
    return 'directory';
  }
  return stats.isFile() ? 'file' : 'other';
}

function joinPosix(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) {
    return DEFAULT_LIMIT;
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_LIMIT}.`, {
      details: { field: 'limit' },
    });
  }
  return limit;
}

function listingError(error: unknown, target: ResolvedPath): unknown {
  if (error instanceof AppError) {
    return error;
  }
  if ((error as { code?: string }).code === 'ENOTDIR') {
    return new AppError('VALIDATION_ERROR', `'${target.relative}' is not a directory.`, {
      details: { field: 'path' },
    });
  }
  return translateFsError(error, target.relative);
}
