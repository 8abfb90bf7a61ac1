import { sleep } from './processes.js';
import type { GroupProcess, MachineEnv } from './processes.js';
import { runTool } from './run-tool.js';

/**
 * Polls `ready` until it holds; fails early with the last line of the program's stderr when
 * the process it waits for has already exited.
 */
export async function waitForProgram(
  name: string,
  started: GroupProcess | undefined,
  displayNumber: number,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    if (started?.child.exitCode !== null && started?.child.exitCode !== undefined) {
      const stderr = started.stderrTail().split('\n').filter(Boolean).at(-1) ?? 'no message';
      throw new Error(
        `${name} exited with status ${started.child.exitCode} ` +
          `on display :${displayNumber}: ${stderr}`,
      );
    }
    if (await ready()) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`${name} did not come up on display :${displayNumber} within ${timeoutMs} ms`);
}

/** openbox sets _NET_SUPPORTING_WM_CHECK on the root window once it manages the screen. */
export async function windowManagerRuns(env: MachineEnv): Promise<boolean> {
  const result = await runTool('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK'], {
    env,
    timeoutMs: 2_000,
  });
  return result.code === 0 && result.stdout.toString().includes('window id');
}

export async function chromiumWindowShown(env: MachineEnv): Promise<boolean> {
  const result = await runTool('xdotool', ['search', '--onlyvisible', '--class', 'chromium'], {
    env,
    timeoutMs: 2_000,
  });
  return result.code === 0 && result.stdout.toString().trim() !== '';
}
