import { spawn } from 'node:child_process';

import type { MachineEnv } from './processes.js';

export interface ToolOptions {
  env: MachineEnv;
  /** Longest run before the tool is killed and reported as timed out. */
  timeoutMs: number;
  /** When it aborts, the tool is killed and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Written to the tool's stdin, which is then closed. */
  input?: string;
}

export interface ToolResult {
  /** The exit code, or null when the tool was killed. */
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a short-lived X tool (xdotool, xwd, xdpyinfo, xclip -o) with an argument list and
 * collects its output. The tool leads its own process group, so a kill on abort or timeout
 * also reaches anything it started.
 */
export function runTool(
  command: string,
  args: string[],
  options: ToolOptions,
): Promise<ToolResult> {
  const { signal } = options;
  if (signal?.aborted) {
    return Promise.reject(signal.reason);
  }

  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, detached: true, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;

    const kill = (): void => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // Exited on its own meanwhile.
      }
    };
    const onAbort = (): void => {
      kill();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');

    child.once('error', (error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new Error(`${command} could not be run: ${error.message}`, { cause: error }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout: Buffer.concat(stdout), stderr: stderr.trim(), timedOut });
    });
  });
}

/** Runs the tool and throws, with its stderr, unless it exited with status 0. */
export async function runToolOrThrow(
  command: string,
  args: string[],
  options: ToolOptions,
): Promise<Buffer> {
  const result = await runTool(command, args, options);
  if (result.code === 0) {
    return result.stdout;
  }

  const why = result.timedOut
    ? `did not finish within ${options.timeoutMs} ms`
    : `exited with status ${result.code}` +
      (result.stderr === '' ? '' : `: ${lastLine(result.stderr)}`);
  throw new Error(`${command} ${args[0] ?? ''} ${why}`);
}

function lastLine(text: string): string {
  return text.split('\n').at(-1) ?? '';
}
