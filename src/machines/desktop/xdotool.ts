import { runTool, runToolOrThrow } from './run-tool.js';
import type { MachineEnv } from './processes.js';

/** What an action on a desktop needs besides itself. */
export interface DesktopActionContext {
  /** Reaches the machine's display (DISPLAY) and nothing of the server's environment. */
  env: MachineEnv;
  screen: { width: number; height: number };
  /** Checked before each piece of input; a running xdotool is killed when it aborts. */
  signal: AbortSignal;
}

const XDOTOOL_TIMEOUT_MS = 10_000;

/** Runs one xdotool command line and throws, with xdotool's complaint, unless it exited 0. */
export async function xdotool(
  context: DesktopActionContext,
  args: string[],
  input?: string,
): Promise<void> {
  const { env, signal } = context;
  await runToolOrThrow('xdotool', args, { env, signal, input, timeoutMs: XDOTOOL_TIMEOUT_MS });
}

/** A release sent after a failure or an abort: it ignores the signal and is best effort. */
export async function releaseAll(context: DesktopActionContext, args: string[]): Promise<void> {
  await runTool('xdotool', args, { env: context.env, timeoutMs: 2_000 }).catch(() => undefined);
}
