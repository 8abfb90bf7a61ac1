import type { Workspaces } from '../../machines/index.js';
import type { StepOutcome, TerminalAction } from '../../models/index.js';

/** The longest output a model gets back from one command; the rest is cut. */
const outputLimitChars = 16_000;
const commandTimeoutMs = 120_000;

// LIMITATION: `{{name}}` placeholders are not filled in commands, so a secret never reaches a
// shell (whose output goes back to the model); a masked-output mode would allow it.
/**
 * The machine's terminal as an agent uses it: one persistent shell per run in the machine's
 * home, so `cd` and variables carry from one command to the next.
 */
export class AgentTerminal {
  constructor(private readonly workspaces: Workspaces) {}

  async run(
    machineId: string,
    runId: string,
    action: TerminalAction,
    signal: AbortSignal,
  ): Promise<StepOutcome> {
    const terminal = (await this.workspaces.get(machineId)).terminal;
    const sessionId = `agent-${runId}`;
    if (action.restart) {
      if (terminal.list().includes(sessionId)) {
        await terminal.close(sessionId);
      }
      await terminal.connect(sessionId);
      return { ok: true, output: 'The shell was restarted.' };
    }
    await terminal.connect(sessionId);
    const result = await terminal.execute(sessionId, action.command, {
      signal,
      timeoutMs: commandTimeoutMs,
    });
    const cut = result.output.length > outputLimitChars || result.truncated;
    const output = result.output.slice(0, outputLimitChars) + (cut ? '\n[output cut]' : '');
    if (result.timed_out) {
      return { ok: false, error: `The command ran past ${commandTimeoutMs / 1000} s.`, output };
    }
    const status = result.exit_code === 0 ? '' : `\n[exit code ${result.exit_code ?? 'none'}]`;
    return { ok: true, output: output + status };
  }
}
