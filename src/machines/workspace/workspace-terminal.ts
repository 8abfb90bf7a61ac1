import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';

import { AppError } from '../../errors/index.js';
import { TerminalSession } from './terminal-session.js';
import type { ExecuteOptions, ExecuteResult, TerminalOutput } from './execute-options.js';
import type { TerminalSessionOptions } from './terminal-session.js';

export interface WorkspaceTerminalOptions extends TerminalSessionOptions {
  /** The most sessions open at once in one machine. */
  maxSessions: number;
}

const SESSION_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A machine's terminal sessions, each a persistent shell, addressed by session id. */
export class WorkspaceTerminal {
  private readonly sessions = new Map<string, TerminalSession>();

  constructor(private readonly options: WorkspaceTerminalOptions) {}

  /**
   * Opens a session and returns its id. An id of an open session returns it unchanged; a new
   * id (letters, digits, `._-`, up to 128) opens a session under that id.
   */
  async connect(sessionId?: string): Promise<string> {
    const id = sessionId ?? `term_${randomBytes(8).toString('hex')}`;
    if (!SESSION_ID.test(id)) {
      throw new AppError('VALIDATION_ERROR', 'A session id is 1–128 of A-Z a-z 0-9 . _ -.', {
        details: { field: 'session_id' },
      });
    }
    if (this.sessions.has(id)) {
      return id;
    }
    if (this.sessions.size >= this.options.maxSessions) {
      throw new AppError('INVALID_STATE', `The machine has ${this.sessions.size} sessions open.`, {
        suggestion: 'Close a terminal session before opening another.',
      });
    }
    await this.assertHomeExists();

    const session = new TerminalSession(id, this.options);
    this.sessions.set(id, session);
    await session.start().catch((error: unknown) => {
      this.sessions.delete(id);
      throw error;
    });
    return id;
  }

  /** Runs a command in the session's shell; see `TerminalSession.execute`. */
  async execute(
    sessionId: string,
    command: string,
    options?: ExecuteOptions,
  ): Promise<ExecuteResult> {
    return this.session(sessionId).execute(command, options);
  }

  /** Output the session printed since the last read or execute. */
  read(sessionId: string): TerminalOutput {
    return this.session(sessionId).read();
  }

  /** Drops the session's unread output. */
  clear(sessionId: string): void {
    this.session(sessionId).clear();
  }

  /** Kills the session's shell and forgets the session. */
  async close(sessionId: string): Promise<void> {
    const session = this.session(sessionId);
    this.sessions.delete(sessionId);
    await session.close();
  }

  /** Closes every session, e.g. when the machine stops. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((session) => session.close()));
  }

  /** The ids of the open sessions. */
  list(): string[] {
    return [...this.sessions.keys()];
  }

  private session(sessionId: string): TerminalSession {
    const session = this.sessions.get(sessionId);
    if (session === undefined) {
      throw new AppError('NOT_FOUND', `No terminal session with id '${sessionId}'.`, {
        suggestion: 'Open one with terminal_connect first.',
      });
    }
    return session;
  }

  private async assertHomeExists(): Promise<void> {
    const isDirectory = await stat(this.options.homeDir).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
    if (!isDirectory) {
      throw new AppError('INVALID_STATE', 'The machine home does not exist yet.');
    }
  }
}
