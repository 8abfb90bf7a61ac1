import { chmod, chown, lchown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../../errors/index.js';
import { DEFAULT_MAX_FILE_BYTES } from './file-content.js';
import { shellEnvironment } from './shell-protocol.js';
import { WorkspaceFiles } from './workspace-files.js';
import { WorkspaceTerminal } from './workspace-terminal.js';

export interface MachineWorkspaceOptions {
  machineId: string;
  /** The machine's home directory; absolute, created by `ensure()` with mode 0700. */
  homeDir: string;
  /** A bash executable for terminal sessions; default `/bin/bash`. */
  shell?: string;
  /**
   * Variables added to the shells' minimal environment (PATH, HOME, LANG, TERM, USER).
   * The server's own environment is never passed on.
   */
  env?: Record<string, string>;
  /** The bound on one file read, write, edit or append; default 10 MiB. */
  maxFileBytes?: number;
  /** The bound on one command's output and on unread terminal output; default 1 MiB. */
  maxOutputBytes?: number;
  /** The most terminal sessions open at once; default 8. */
  maxSessions?: number;
  /** How long an interrupted command may take before its shell is killed; default 500 ms. */
  interruptGraceMs?: number;
  /**
   * The machine's own Unix user: shells run as it and the home is its. Default: the server's
   * user, which every machine then shares.
   */
  user?: { name: string; uid: number; gid: number };
}

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * A machine's workspace: its home directory, file operations confined to it, and
 * terminal sessions that start there.
 *
 * `files` and `terminal` are separate because both have a `read`: a file's content, and a
 * session's unread output.
 */
// LIMITATION: without a `user`, shells run as the server's Unix user, so the confinement of
// `files` does not bind them: a command can read anything that user can. A server running as
// root gives every machine a user of its own (see MachineUsers), which lifts it.
export class MachineWorkspace {
  readonly machineId: string;
  readonly homeDir: string;
  readonly files: WorkspaceFiles;
  readonly terminal: WorkspaceTerminal;
  private readonly user: MachineWorkspaceOptions['user'];

  constructor(options: MachineWorkspaceOptions) {
    this.machineId = options.machineId;
    this.homeDir = checkHomeDir(options.homeDir);
    this.user = options.user;
    const runAs = options.user && { uid: options.user.uid, gid: options.user.gid };
    const userName = options.user && { USER: options.user.name, LOGNAME: options.user.name };
    const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.files = new WorkspaceFiles(this.homeDir, maxFileBytes, runAs);
    this.terminal = new WorkspaceTerminal({
      shell: options.shell ?? '/bin/bash',
      homeDir: this.homeDir,
      env: shellEnvironment(this.homeDir, { ...userName, ...options.env }),
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      maxSessions: options.maxSessions ?? 8,
      interruptGraceMs: options.interruptGraceMs ?? 500,
      ...(runAs && { runAs }),
    });
  }

  /** Creates the home (mode 0700) and its Downloads folder; keeps what exists. */
  async ensure(): Promise<void> {
    await mkdir(this.homeDir, { recursive: true, mode: 0o700 });
    // mkdir leaves the mode of an existing directory alone, and the umask may narrow it.
    await chmod(this.homeDir, 0o700);
    if (this.user !== undefined) {
      await chown(this.homeDir, this.user.uid, this.user.gid);
    }

    // Inside the home the machine may have put a symlink by that name: nothing here follows
    // one (mkdir does not, lchown does not), so an existing Downloads is left as it is.
    const downloads = path.join(this.homeDir, 'Downloads');
    const created = await mkdir(downloads, { mode: 0o700 }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') {
          throw error;
        }
        return false;
      },
    );
    if (created && this.user !== undefined) {
      await lchown(downloads, this.user.uid, this.user.gid);
    }
  }

  /** Closes every terminal session, then deletes the home with everything in it. */
  async remove(): Promise<void> {
    await this.terminal.closeAll();
    await rm(this.homeDir, { recursive: true, force: true });
  }
}

function checkHomeDir(homeDir: string): string {
  if (typeof homeDir !== 'string' || !path.isAbsolute(homeDir) || homeDir.includes('\0')) {
    throw new AppError('VALIDATION_ERROR', 'The machine home must be an absolute path.', {
      details: { field: 'homeDir' },
    });
  }
  const resolved = path.resolve(homeDir);
  // remove() deletes the home recursively; a home at the root of the file system is a typo.
  if (path.dirname(resolved) === resolved) {
    throw new AppError('VALIDATION_ERROR', 'The machine home cannot be the root directory.', {
      details: { field: 'homeDir' },
    });
  }
  return resolved;
}
