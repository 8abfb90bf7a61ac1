import { lstat, realpath, rm, rmdir, unlink } from 'node:fs/promises';

import { AppError } from '../../errors/index.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  assertSize,
  decodeContent,
  decodeTextStrictly,
  encodeContent,
  translateFsError,
} from './file-content.js';
import { removeAsUser } from '../users/index.js';
import { HomeDir } from './beneath.js';
import { readBytes, writeBytes } from './file-io.js';
import { listDirectory } from './workspace-listing.js';
import { errorCode, resolveWorkspacePath } from './resolve-path.js';
import type { FileOwner } from './beneath.js';
import type { FileEncoding } from './file-content.js';
import type { FileEntry, ListOptions, ListResult } from './workspace-listing.js';
import type { HomePaths, ResolvedPath } from './resolve-path.js';

export interface ReadOptions {
  /** Default `utf8`; use `base64` for binary files. */
  encoding?: FileEncoding;
  /** Read at most this many bytes from the start; default and maximum: the file limit. */
  maxBytes?: number;
}

export interface ReadResult {
  path: string;
  content: string;
  encoding: FileEncoding;
  /** The whole file's size in bytes, also when only a part was read. */
  size: number;
  /** True when the file is longer than what was read. */
  truncated: boolean;
}

export interface WriteOptions {
  /** How `content` is encoded; default `utf8`. */
  encoding?: FileEncoding;
  /** Create missing parent directories; default true. */
  createDirs?: boolean;
}

export interface EditOptions {
  /** The exact text to find; an error when it does not occur. */
  find: string;
  /** The text put in its place, taken literally (no `$&` patterns). */
  replace: string;
  /** Replace every occurrence instead of the first; default false. */
  all?: boolean;
}

export interface WrittenFile {
  path: string;
  /** The file's size in bytes after the operation. */
  size: number;
}

/**
 * File operations confined to a machine's home. Every path is checked with
 * `resolveWorkspacePath`, then reached by a walk beneath the home that follows no symlink,
 * so one the machine swaps in between check and use is refused rather than followed. With
 * an `owner`, only the machine user's own files are read or changed, and new ones are its.
 */
export class WorkspaceFiles {
  private realHome?: string;

  constructor(
    private readonly homeDir: string,
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    private readonly owner?: FileOwner,
  ) {}

  /** Reads a regular file, or its first `maxBytes` bytes. */
  async read(input: string, options: ReadOptions = {}): Promise<ReadResult> {
    const encoding = options.encoding ?? 'utf8';
    const maxBytes = this.checkMaxBytes(options.maxBytes);
    const target = await this.resolve(input);

    const { bytes, size } = await readBytes(await this.home(), target, maxBytes);

    const content = encodeContent(bytes, encoding);
    return { path: target.relative, content, encoding, size, truncated: size > bytes.length };
  }

  /** True when something (file, directory or symlink) exists at the path. */
  async exists(input: string): Promise<boolean> {
    const target = await this.resolve(input);
    try {
      await (await this.home()).inParent(target.entry, (at, name) => lstat(at(name)));
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') {
        return false;
      }
      throw error;
    }
  }

  /** Lists a directory's entries, sorted by name, depth first when recursive. */
  async list(input: string, options: ListOptions = {}): Promise<ListResult> {
    const target = await this.resolve(input);
    return listDirectory(await this.home(), target, options);
  }

  /** The files in `<home>/Downloads`; empty when the folder does not exist. */
  async downloads(): Promise<FileEntry[]> {
    if (!(await this.exists('Downloads'))) {
      return [];
    }
    const listing = await this.list('Downloads', { limit: 10_000 });
    return listing.entries.filter((entry) => entry.type === 'file');
  }

  /** Creates or replaces a file with exactly the given content. */
  async write(input: string, content: string, options: WriteOptions = {}): Promise<WrittenFile> {
    const bytes = decodeContent(content, options.encoding);
    assertSize(bytes.length, this.maxFileBytes, 'The content');
    const target = await this.resolve(input);

    const createDirs = options.createDirs ?? true;
    await writeBytes(await this.home(), target, bytes, { append: false, createDirs });

    return { path: target.relative, size: bytes.length };
  }

  /** Replaces text in a UTF-8 file; refuses when `find` does not occur. */
  async edit(input: string, options: EditOptions): Promise<WrittenFile & { replacements: number }> {
    if (typeof options.find !== 'string' || options.find === '') {
      throw invalid('find', 'The text to find must be a non-empty string.');
    }
    if (typeof options.replace !== 'string') {
      throw invalid('replace', 'The replacement must be a string.');
    }
    const target = await this.resolve(input);

    const home = await this.home();
    const { bytes, size } = await readBytes(home, target, this.maxFileBytes);
    assertSize(size, this.maxFileBytes, `File '${target.relative}'`);
    const text = decodeTextStrictly(bytes, target.relative);

    const parts = text.split(options.find);
    if (parts.length === 1) {
      throw invalid('find', `The text to find does not occur in '${target.relative}'.`);
    }
    const edited = options.all
      ? parts.join(options.replace)
      : `${parts[0] ?? ''}${options.replace}${parts.slice(1).join(options.find)}`;
    const replacements = options.all ? parts.length - 1 : 1;

    const editedBytes = Buffer.from(edited, 'utf8');
    assertSize(editedBytes.length, this.maxFileBytes, 'The edited file');
    await writeBytes(home, target, editedBytes, { append: false, createDirs: false });

    return { path: target.relative, size: editedBytes.length, replacements };
  }

  /** Appends content to a file, creating it when missing (its directory must exist). */
  async append(input: string, content: string, encoding?: FileEncoding): Promise<WrittenFile> {
    const bytes = decodeContent(content, encoding);
    assertSize(bytes.length, this.maxFileBytes, 'The content');
    const target = await this.resolve(input);

    const mode = { append: true, createDirs: false };
    const size = await writeBytes(await this.home(), target, bytes, mode);

    return { path: target.relative, size };
  }

  /** Deletes a file or a symlink (never what it points to); refuses directories. */
  async delete(input: string): Promise<void> {
    const target = await this.resolve(input);
    const removal = (await this.home()).inParent(target.entry, async (at, name) => {
      if ((await lstat(at(name))).isDirectory()) {
        throw invalid(
          'path',
          `'${target.relative}' is a directory; delete it with directory_delete ` +
            '(files/delete-directory).',
        );
      }
      await unlink(at(name));
    });
    await removal.catch((error) => {
      throw error instanceof AppError ? error : translateFsError(error, target.relative);
    });
  }

  /** Deletes a directory; a non-empty one only with `recursive`. Never the home itself. */
  async deleteDirectory(input: string, options: { recursive?: boolean } = {}): Promise<void> {
    const target = await this.resolve(input);
    if (target.relative === '') {
      throw invalid('path', 'The home directory itself cannot be deleted.');
    }
    const removal = (await this.home()).inParent(target.entry, async (at, name) => {
      if (!(await lstat(at(name))).isDirectory()) {
        throw invalid('path', `'${target.relative}' is not a directory; use delete.`);
      }
      if (!options.recursive) {
        await rmdir(at(name));
      } else if (this.owner === undefined) {
        // rm does not follow symlinks found inside the tree, so nothing outside is touched.
        await rm(at(name), { recursive: true });
      } else {
        // A tree the machine can change while it is walked is removed with its user's rights.
        await removeAsUser(this.owner, [target.entry]).catch((error: unknown) => {
          const message = `Could not delete all of '${target.relative}'.`;
          throw new AppError('INVALID_STATE', message, { cause: error });
        });
      }
    });
    await removal.catch((error) => {
      throw error instanceof AppError ? error : translateFsError(error, target.relative);
    });
  }

  private async resolve(input: string): Promise<ResolvedPath> {
    return resolveWorkspacePath(await this.homePaths(), input);
  }

  private async home(): Promise<HomeDir> {
    return new HomeDir((await this.homePaths()).realHome, this.owner);
  }

  private async homePaths(): Promise<HomePaths> {
    if (this.realHome === undefined) {
      this.realHome = await realpath(this.homeDir).catch((error) => {
        throw new AppError('INVALID_STATE', 'The machine home does not exist yet.', {
          cause: error,
        });
      });
    }
    return { homeDir: this.homeDir, realHome: this.realHome };
  }

  private checkMaxBytes(maxBytes: number | undefined): number {
    if (maxBytes === undefined) {
      return this.maxFileBytes;
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > this.maxFileBytes) {
      throw invalid('maxBytes', `maxBytes must be an integer from 0 to ${this.maxFileBytes}.`);
    }
    return maxBytes;
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_ERROR', message, { details: { field } });
}
