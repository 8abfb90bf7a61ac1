import type { AuthContext } from '../auth/index.js';
import type { ActionRequest } from '../contracts/index.js';
import type { Clock } from '../core/index.js';
import { invalidState, isAppError } from '../errors/index.js';
import type { Store } from '../store/index.js';

import { checkScope, isWorkspaceCommand, prepare } from './prepare-command.js';
import type { Machine, Observation } from './driver.js';
import type { PreparedCommand } from './prepare-command.js';
import type { Workspaces } from './workspaces.js';
import type { MachineService } from './machine-service.js';

/** What one command did, in the reference's ActionResultResponse terms (no request id). */
export interface CommandResult {
  command: string;
  success: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
  duration_ms: number;
  screenshot: string | null;
}

const defaultTimeoutMs = 30_000;

/**
 * Direct control of a machine through the API: screenshots and the reference's action
 * commands, for a person or program stepping in. A machine a run is driving refuses them;
 * one whose run waits for a human accepts them.
 */
export class MachineActions {
  constructor(
    private readonly machines: MachineService,
    private readonly workspaces: Workspaces,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async screenshot(
    auth: AuthContext,
    machineId: string,
    format: 'png' | 'jpeg',
  ): Promise<{ observation: Observation; capturedAt: string }> {
    const row = await this.machines.row(auth.organizationId, machineId);
    if (row.status !== 'running') {
      throw invalidState(`Machine ${machineId} is ${row.status}; start it first.`);
    }
    const machine = await this.machines.open(machineId);
    const signal = AbortSignal.timeout(defaultTimeoutMs);
    const observation = await machine.observe({ signal, format, screenOnly: true });
    return { observation, capturedAt: this.clock.now().toISOString() };
  }

  async perform(auth: AuthContext, machineId: string, request: ActionRequest) {
    const [result] = await this.batch(auth, machineId, [request], true);
    return result!;
  }

  /** Checks every step first, so a bad step changes nothing; then performs them in order. */
  async batch(
    auth: AuthContext,
    machineId: string,
    requests: ActionRequest[],
    stopOnError: boolean,
  ): Promise<CommandResult[]> {
    const row = await this.machines.row(auth.organizationId, machineId);
    requests.forEach((request, index) => checkScope(auth, request, index));
    // Files and terminals may be used beside a run; the screen belongs to the run's agent.
    // A stopped machine's files can still be read and written, but it runs no commands.
    const runsProcesses = requests.some((request) => request.command.startsWith('terminal_'));
    if (runsProcesses && row.status !== 'running') {
      throw invalidState(`Machine ${machineId} is ${row.status}; start it to run commands.`);
    }
    let machine: Machine | undefined;
    if (requests.some((request) => !isWorkspaceCommand(request.command))) {
      if (row.status !== 'running') {
        throw invalidState(`Machine ${machineId} is ${row.status}; start it first.`);
      }
      await this.refuseWhileDriven(machineId);
      machine = await this.machines.open(machineId);
    }
    const prepared = requests.map((request, index) => prepare(request, index, machine));

    const results: CommandResult[] = [];
    for (const command of prepared) {
      const result = await this.run(machineId, command);
      results.push(result);
      if (!result.success && stopOnError) {
        break;
      }
    }
    return results;
  }

  private async run(machineId: string, command: PreparedCommand): Promise<CommandResult> {
    const startedMs = Date.now();
    const signal = AbortSignal.timeout(command.request.timeout_ms ?? defaultTimeoutMs);
    const base = { command: command.request.command, screenshot: null };
    try {
      if (command.workspace) {
        const workspace = await this.workspaces.get(machineId);
        const result = await command.workspace.command.run(
          workspace,
          command.workspace.parameters,
          signal,
        );
        return { ...base, success: true, result, error: null, duration_ms: Date.now() - startedMs };
      }
      const machine = await this.machines.open(machineId);
      if (command.direct) {
        const result = await command.direct(machine, signal);
        const screenshot = await this.afterBrowserCommand(machine, command, signal);
        return {
          ...base,
          success: true,
          result,
          error: null,
          duration_ms: Date.now() - startedMs,
          screenshot,
        };
      }
      if (!command.action) {
        const format = command.request.parameters.format === 'png' ? 'png' : 'jpeg';
        const { screenshot } = await machine.observe({ signal, format, screenOnly: true });
        const result = {
          image_b64: screenshot.data.toString('base64'),
          mime_type: `image/${screenshot.format}`,
          width: screenshot.width,
          height: screenshot.height,
        };
        return { ...base, success: true, result, error: null, duration_ms: Date.now() - startedMs };
      }

      const outcome = await machine.act(command.action, { signal });
      const screenshot = await this.afterBrowserCommand(machine, command, signal);
      return {
        ...base,
        success: outcome.ok,
        result: outcome.ok ? { performed: command.action } : null,
        error: outcome.error ?? null,
        duration_ms: Date.now() - startedMs,
        screenshot,
      };
    } catch (error) {
      // Refusals (a path outside the home, an unknown session) are the caller's error.
      if (isAppError(error)) {
        throw error;
      }
      const message = signal.aborted
        ? `The command did not finish within ${command.request.timeout_ms ?? defaultTimeoutMs} ms.`
        : error instanceof Error
          ? error.message
          : String(error);
      return {
        ...base,
        success: false,
        result: null,
        error: message,
        duration_ms: Date.now() - startedMs,
      };
    }
  }

  /** The reference attaches a screenshot to every browser command's result. */
  private async afterBrowserCommand(
    machine: Machine,
    command: PreparedCommand,
    signal: AbortSignal,
  ): Promise<string | null> {
    const name = command.request.command;
    // A screenshot's own result holds one already.
    if (!name.startsWith('browser_') || name === 'browser_screenshot') {
      return null;
    }
    const { screenshot } = await machine.observe({ signal, format: 'jpeg', screenOnly: true });
    return `data:image/${screenshot.format};base64,${screenshot.data.toString('base64')}`;
  }

  private async refuseWhileDriven(machineId: string): Promise<void> {
    const run = await this.store.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('active_machine_id', '=', machineId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (run) {
      throw invalidState(
        `Machine ${machineId} is being driven by run ${run.id}; pause the run to step in.`,
        { run_id: run.id },
      );
    }
  }
}
