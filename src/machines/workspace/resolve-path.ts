import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../../errors/index.js';

/** Where a workspace path lands once every symlink on the way has been followed. */
export interface ResolvedPath {
  /** The path relative to the home with `/` separators, as callers see it; `''` is the home. */
  relative: string;
  /** The real absolute path of the target with every symlink followed; it may not exist yet. */
  real: string;
  /** The entry itself: its real parent joined with its own name, so a final symlink is kept. */
  entry: string;
}

/** The home as configured (for absolute inputs) and as the kernel sees it (for checks). */
export interface HomePaths {
  homeDir: string;
  realHome: string;
}

const MAX_PATH_LENGTH = 4096;

// Linux gives up after 40 symlinks; following more than that is a loop or an attack.
const MAX_SYMLINK_DEPTH = 40;

/**
 * Maps a path given by an agent (relative to the home, or absolute inside it) to real paths
 * inside the home, refusing anything that escapes: `..` above the home, absolute paths
 * elsewhere, symlinks that point outside (also through a missing tail), and NUL bytes.
 */
export async function resolveWorkspacePath(home: HomePaths, input: string): Promise<ResolvedPath> {
  const relative = lexicalRelative(home.homeDir, input);
  const inside = path.join(home.realHome, relative);

  const real = await realpathAllowingMissing(inside, input, 0);
  assertInside(home.realHome, real, input);

  const entry =
    relative === ''
      ? home.realHome
      : path.join(
          await realpathAllowingMissing(path.dirname(inside), input, 0),
          path.basename(inside),
        );
  assertInside(home.realHome, entry, input);

  return { relative: relative.split(path.sep).join('/'), real, entry };
}

/** True when `target` is `root` or lies below it. */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function lexicalRelative(homeDir: string, input: string): string {
  if (typeof input !== 'string') {
    throw refused(String(input), 'the path must be a string');
  }
  if (input.includes('\0')) {
    throw refused(input, 'the path contains a NUL byte');
  }
  if (input.length > MAX_PATH_LENGTH) {
    throw refused(input, `the path is longer than ${MAX_PATH_LENGTH} characters`);
  }

  // Lexical normalisation happens before any lookup, so `a/../../x` is refused even
  // when `a` does not exist, and the normalised path (without `..`) is what we touch.
  const relative = path.relative(homeDir, path.resolve(homeDir, input));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw refused(input, 'it points outside the machine home');
  }
  return relative;
}

async function realpathAllowingMissing(
  target: string,
  input: string,
  depth: number,
): Promise<string> {
  if (depth > MAX_SYMLINK_DEPTH) {
    throw refused(input, 'it goes through too many symlinks');
  }

  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing.reverse());
    } catch (error) {
      if (errorCode(error) === 'ELOOP') {
        throw refused(input, 'it goes through a symlink loop');
      }
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') {
        throw error;
      }
    }

    // A dangling symlink would be followed by a later create, so resolve it by hand.
    const danglingTarget = await danglingLinkTarget(current);
    if (danglingTarget !== undefined) {
      const rest = path.join(danglingTarget, ...[...missing].reverse());
      return realpathAllowingMissing(rest, input, depth + 1);
    }

    missing.push(path.basename(current));
    const parent = path.dirname(current);
    if (parent === current) {
      throw refused(input, 'no part of it exists');
    }
    current = parent;
  }
}

async function danglingLinkTarget(candidate: string): Promise<string | undefined> {
  try {
    const stats = await lstat(candidate);
    if (!stats.isSymbolicLink()) {
      return undefined;
    }
    return path.resolve(path.dirname(candidate), await readlink(candidate));
  } catch {
    return undefined;
  }
}

function assertInside(realHome: string, real: string, input: string): void {
  if (!isInside(realHome, real)) {
    throw refused(input, 'it resolves (through a symlink) to a place outside the machine home');
  }
}

function refused(input: string, reason: string): AppError {
  return new AppError('VALIDATION_ERROR', `Path '${printable(input)}' is refused: ${reason}.`, {
    details: { field: 'path', reason },
  });
}

function printable(input: string): string {
  const shown = input.replaceAll('\0', '\\0');
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
