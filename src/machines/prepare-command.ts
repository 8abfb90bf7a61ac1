import type { z } from 'zod';

import type { AuthContext } from '../auth/index.js';
import type { ActionRequest, ActionCommand, AgentAction } from '../contracts/index.js';
import { AppError } from '../errors/index.js';
import { browserCommand } from './browser-commands/index.js';
import { offeredCommands, scopeOf, screenCommand } from './commands.js';
import { windowCommand } from './windows/index.js';
import { workspaceCommand } from './workspace-commands.js';
import type { Machine } from './driver.js';
import type { WorkspaceCommand } from './workspace-commands.js';

/** A command checked and ready to perform: a screenshot, a screen action or a workspace one. */
export interface PreparedCommand {
  request: ActionRequest;
  action?: AgentAction;
  workspace?: { command: WorkspaceCommand; parameters: unknown };
  /** A browser or window command, run against the machine's browser or windows. */
  direct?: (machine: Machine, signal: AbortSignal) => Promise<Record<string, unknown>>;
}

/** Whether the command works on files and terminals alone, beside whatever drives the screen. */
export function isWorkspaceCommand(command: ActionCommand): boolean {
  return workspaceCommand(command) !== undefined;
}

/** Refuses a step the key may not perform, before anything runs. */
export function checkScope(auth: AuthContext, request: ActionRequest, index: number): void {
  const scope = scopeOf(request.command);
  if (!auth.scopes.has(scope)) {
    throw new AppError('INSUFFICIENT_SCOPE', `'${request.command}' needs the '${scope}' scope.`, {
      details: { required_scope: scope, step: index },
    });
  }
}

/**
 * Checks a step's parameters, and that the machine can perform it (window commands need a
 * desktop, DOM-level browser commands a browser under control), before anything runs.
 */
export function prepare(
  request: ActionRequest,
  index: number,
  machine: Machine | undefined,
): PreparedCommand {
  const { command } = request;
  if (command === 'screenshot') {
    return { request };
  }
  const inWorkspace = workspaceCommand(command);
  if (inWorkspace) {
    const parameters = parseParameters(inWorkspace.parameters, request.parameters, index);
    return { request, workspace: { command: inWorkspace, parameters } };
  }

  const onBrowser = browserCommand(command);
  if (onBrowser) {
    const parameters = parseParameters(onBrowser.parameters, request.parameters, index);
    const browser = machine?.browser;
    if (!browser) {
      throw unavailable(command, index, 'its browser is driven through the screen only');
    }
    return { request, direct: (_machine, signal) => onBrowser.run(browser, parameters, signal) };
  }

  const onWindows = windowCommand(command);
  if (onWindows) {
    const parameters = parseParameters(onWindows.parameters, request.parameters, index);
    const windows = machine?.windows;
    if (!windows) {
      const tabs = 'browser_list_tabs, browser_switch_tab and browser_close_tab';
      throw unavailable(command, index, `it has no desktop (desktop_enabled: false); use ${tabs}`);
    }
    return { request, direct: (_machine, signal) => onWindows.run(windows, parameters, signal) };
  }

  const definition = screenCommand(command);
  if (!definition) {
    const offered = offeredCommands().join(', ');
    throw new AppError(
      'VALIDATION_ERROR',
      `Command '${command}' is not offered by this server; offered: ${offered}.`,
      { details: { field: `steps.${index}.command`, offered: offeredCommands() } },
    );
  }
  return {
    request,
    action: definition.toAction(parseParameters(definition.parameters, request.parameters, index)),
  };
}

function unavailable(command: ActionCommand, index: number, why: string): AppError {
  return new AppError(
    'VALIDATION_ERROR',
    `Command '${command}' is not available on this machine: ${why}.`,
    { details: { field: `steps.${index}.command` } },
  );
}

function parseParameters(schema: z.ZodType, parameters: unknown, index: number): any {
  const parsed = schema.safeParse(parameters);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: ['parameters', ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    const first = issues[0];
    throw new AppError('VALIDATION_ERROR', `${first?.field}: ${first?.message}`, {
      details: { step: index, issues },
    });
  }
  return parsed.data;
}
