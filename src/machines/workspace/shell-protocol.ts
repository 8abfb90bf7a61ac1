import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';

import { AppError } from '../../errors/index.js';

/**
 * Sent once when a shell starts: merge stderr into stdout so output keeps its exact order,
 * and trap SIGINT so interrupting a command kills the command, not the session's shell.
 */
export const SHELL_INIT_SCRIPT = "exec 2>&1\ntrap ':' INT\n";

/** The PATH a machine shell starts with unless the workspace's `env` sets another. */
export const DEFAULT_SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The largest command accepted; the API caps it lower (8,192 characters). */
export const MAX_COMMAND_BYTES = 1024 * 1024;

/** A command wrapped for the session's shell, and the token that marks its end. */
export interface CommandScript {
  script: string;
  token: string;
}

/**
 * Wraps a command so the persistent shell runs it and then prints a marker with its exit code.
 *
 * The command travels verbatim inside a quoted here-document (nothing in it is expanded),
 * lands in a variable and is `eval`ed in the shell itself, so `cd` and variables persist.
 * Going through a variable keeps a syntax error from swallowing the marker line, and
 * `</dev/null` keeps a command that reads stdin from eating the next command.
 */
export function buildCommandScript(command: string): CommandScript {
  assertCommand(command);

  let token = randomToken();
  while (command.includes(token)) {
    token = randomToken();
  }
  const delimiter = `__DESKHAND_CMD_${token}`;

  const script = [
    `IFS= builtin read -r -d '' __deskhand_cmd <<'${delimiter}'`,
    command,
    delimiter,
    `__deskhand_cmd=\${__deskhand_cmd%$'\\n'}; builtin eval "$__deskhand_cmd" </dev/null; ` +
      `builtin printf '\\n__deskhand_done_%s:%s\\n' '${token}' "$?"`,
    '',
  ].join('\n');
  return { script, token };
}

/** The bytes that start the end marker; the exit code and a newline follow them. */
export function markerPrefix(token: string): Buffer {
  return Buffer.from(`\n__deskhand_done_${token}:`);
}

/**
 * The environment of a machine shell: a fixed minimum plus what the workspace adds.
 * Built from scratch, never from `process.env`, so no server secret reaches the machine.
 */
export function shellEnvironment(
  homeDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: DEFAULT_SHELL_PATH,
    HOME: homeDir,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    USER: userInfo().username,
    ...extra,
  };
}

function assertCommand(command: string): void {
  if (typeof command !== 'string') {
    throw new AppError('VALIDATION_ERROR', 'The command must be a string.', {
      details: { field: 'command' },
    });
  }
  // Shell variables cannot hold NUL, so such a command could not arrive as sent.
  if (command.includes('\0')) {
    throw new AppError('VALIDATION_ERROR', 'The command contains a NUL byte.', {
      details: { field: 'command' },
    });
  }
  if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) {
    throw new AppError('VALIDATION_ERROR', `The command is above ${MAX_COMMAND_BYTES} bytes.`, {
      details: { field: 'command' },
    });
  }
}

function randomToken(): string {
  return randomBytes(12).toString('hex');
}
