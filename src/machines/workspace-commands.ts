import { isAbsolute, join } from 'node:path';

import { z } from 'zod';

import type { ActionCommand } from '../contracts/index.js';
import type { MachineWorkspace } from './workspace/index.js';

// Linux refuses a name (one part of a path) over 255 bytes; say so before touching the disk.
const MAX_NAME_BYTES = 255;
const path = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (value) => value.split('/').every((name) => Buffer.byteLength(name) <= MAX_NAME_BYTES),
    `each name in a path is at most ${MAX_NAME_BYTES} bytes`,
  );
const encoding = z.enum(['utf8', 'base64']).default('utf8');
const sessionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/)
  .default('default');

/** The reference caps terminal output at this many characters. */
const maxOutputCharacters = 5000;

export interface WorkspaceCommand {
  parameters: z.ZodType;
  run(
    workspace: MachineWorkspace,
    parameters: any,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
}

const terminalCommands: Partial<Record<ActionCommand, WorkspaceCommand>> = {
  terminal_connect: {
    parameters: z.object({ session_id: sessionId.optional() }),
    run: async (workspace, p) => ({ session_id: await workspace.terminal.connect(p.session_id) }),
  },
  terminal_execute: {
    parameters: z.object({
      command: z.string().min(1).max(8192),
      session_id: sessionId,
      cwd: path.max(512).nullable().optional(),
      timeout_ms: z.number().int().min(1000).max(120_000).default(30_000),
    }),
    run: execute,
  },
  terminal_read: {
    parameters: z.object({ session_id: sessionId }),
    run: async (workspace, p) => ({ ...capOutput(workspace.terminal.read(p.session_id)) }),
  },
  terminal_clear: {
    parameters: z.object({ session_id: sessionId }),
    run: async (workspace, p) => {
      workspace.terminal.clear(p.session_id);
      return { session_id: p.session_id };
    },
  },
  terminal_close: {
    parameters: z.object({ session_id: sessionId }),
    run: async (workspace, p) => {
      await workspace.terminal.close(p.session_id);
      return { session_id: p.session_id, closed: true };
    },
  },
};

const fileCommands: Partial<Record<ActionCommand, WorkspaceCommand>> = {
  file_read: {
    parameters: z.object({ path, encoding }),
    run: async (workspace, p) => ({ ...(await workspace.files.read(p.path, p)) }),
  },
  file_download: {
    parameters: z.object({ path }),
    run: async (workspace, p) => ({
      ...(await workspace.files.read(p.path, { encoding: 'base64' })),
    }),
  },
  file_exists: {
    parameters: z.object({ path }),
    run: async (workspace, p) => ({ path: p.path, exists: await workspace.files.exists(p.path) }),
  },
  directory_list: {
    parameters: z.object({
      path: path.default('.'),
      recursive: z.boolean().default(false),
      limit: z.number().int().min(1).max(10_000).default(1000),
    }),
    run: async (workspace, p) => ({ ...(await workspace.files.list(p.path, p)) }),
  },
  file_list_downloads: {
    parameters: z.object({}),
    run: async (workspace) => ({ entries: await workspace.files.downloads() }),
  },
  file_write: {
    parameters: z.object({ path, content: z.string(), encoding }),
    run: async (workspace, p) => ({ ...(await workspace.files.write(p.path, p.content, p)) }),
  },
  file_edit: {
    parameters: z.object({
      path,
      find: z.string().min(1),
      replace: z.string(),
      all: z.boolean().default(false),
    }),
    run: async (workspace, p) => ({ ...(await workspace.files.edit(p.path, p)) }),
  },
  file_append: {
    parameters: z.object({ path, content: z.string(), encoding }),
    run: async (workspace, p) => ({
      ...(await workspace.files.append(p.path, p.content, p.encoding)),
    }),
  },
  file_delete: {
    parameters: z.object({ path }),
    run: async (workspace, p) => {
      await workspace.files.delete(p.path);
      return { path: p.path, deleted: true };
    },
  },
  directory_delete: {
    parameters: z.object({ path, recursive: z.boolean().default(false) }),
    run: async (workspace, p) => {
      await workspace.files.deleteDirectory(p.path, p);
      return { path: p.path, deleted: true };
    },
  },
};

/** The terminal or file command's definition, if `command` is one. */
export function workspaceCommand(command: ActionCommand): WorkspaceCommand | undefined {
  return terminalCommands[command] ?? fileCommands[command];
}

export function workspaceCommandNames(): ActionCommand[] {
  return Object.keys({ ...terminalCommands, ...fileCommands }) as ActionCommand[];
}

async function execute(workspace: MachineWorkspace, p: any, signal: AbortSignal) {
  const sessions = workspace.terminal.list();
  if (!sessions.includes(p.session_id)) {
    await workspace.terminal.connect(p.session_id);
  }
  let command = p.command as string;
  if (p.cwd) {
    // exists() refuses a directory outside the home before the shell ever sees it.
    await workspace.files.exists(p.cwd);
    const directory = isAbsolute(p.cwd) ? p.cwd : join(workspace.homeDir, p.cwd);
    command = `cd -- '${directory.replaceAll("'", "'\\''")}' && ${command}`;
  }
  const result = await workspace.terminal.execute(p.session_id, command, {
    timeoutMs: p.timeout_ms,
    signal,
  });
  return { session_id: p.session_id, ...capOutput(result) };
}

function capOutput<T extends { output: string; truncated: boolean }>(result: T): T {
  if (result.output.length <= maxOutputCharacters) {
    return result;
  }
  return { ...result, output: result.output.slice(-maxOutputCharacters), truncated: true };
}
