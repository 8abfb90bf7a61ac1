import {
  ActionResultResponse,
  BrowserOpParams,
  BrowserOpRequest,
  FilesOpParams,
  FilesOpRequest,
  MachineIdParams,
  TerminalRequest,
} from '../contracts/index.js';
import type { ActionCommand, ActionRequest } from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AuthContext } from '../auth/index.js';
import type { AnyRoute } from '../http/index.js';
import { browserOps } from './browser-commands/index.js';
import type { BrowserOp } from './browser-commands/index.js';
import type { MachineActions } from './machine-actions.js';

/** The reference's `files/{op}` names and the file commands they stand for. */
const filesOps: Record<string, ActionCommand> = {
  read: 'file_read',
  exists: 'file_exists',
  list: 'directory_list',
  'list-directory': 'directory_list',
  download: 'file_download',
  'list-downloads': 'file_list_downloads',
  write: 'file_write',
  edit: 'file_edit',
  append: 'file_append',
  delete: 'file_delete',
  'delete-directory': 'directory_delete',
};

/**
 * The reference's shorthand routes for the browser, the terminal and files. Each is one
 * command of `actions` underneath, with that command's scope, checks and result.
 */
export function opRoutes(actions: MachineActions): AnyRoute[] {
  const perform = async (
    auth: AuthContext,
    machineId: string,
    request: ActionRequest,
    requestId: string,
  ) => {
    const result = await actions.perform(auth, machineId, request);
    return { body: { machine_id: machineId, ...result, request_id: requestId } };
  };

  return [
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/browser/{op}',
      operationId: 'browserOp',
      summary: 'Perform one browser operation (open, click, type, dom, clickables, tabs, …)',
      tags: ['machines'],
      scope: 'actions:exec',
      idempotent: true,
      params: BrowserOpParams,
      body: BrowserOpRequest,
      response: ActionResultResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const command = browserOps[params.op as BrowserOp];
        const request = { command, parameters: body.parameters, timeout_ms: body.timeout_ms };
        return perform(auth, params.machine_id, request, requestId);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/terminal',
      operationId: 'terminalExec',
      summary: 'Run a shell command in one of the machine’s terminal sessions',
      tags: ['machines'],
      scope: 'terminal:exec',
      idempotent: true,
      params: MachineIdParams,
      body: TerminalRequest,
      response: ActionResultResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const parameters = {
          command: body.command,
          timeout_ms: body.timeout_ms,
          ...(body.session_id ? { session_id: body.session_id } : {}),
          ...(body.cwd ? { cwd: body.cwd } : {}),
        };
        // The command's own bound plus a margin, so its timeout is reported, not the request's.
        const request = {
          command: 'terminal_execute' as const,
          parameters,
          timeout_ms: Math.min(120_000, body.timeout_ms + 5_000),
        };
        return perform(auth, params.machine_id, request, requestId);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/files/{op}',
      operationId: 'filesOp',
      summary: 'Read or change a file in the machine’s home (read ops need files:read)',
      tags: ['machines'],
      scope: 'any',
      idempotent: true,
      params: FilesOpParams,
      body: FilesOpRequest,
      bodyOptional: true,
      response: ActionResultResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const request = { command: filesOps[params.op]!, parameters: body.parameters };
        return perform(auth, params.machine_id, request, requestId);
      },
    }),
  ];
}
