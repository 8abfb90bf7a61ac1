/**
 * Types text xdotool cannot type reliably (anything outside ASCII) by putting it on the
 * clipboard and pressing ctrl+v. xclip runs with -quiet, in the foreground, so the process we
 * spawned is the one serving the selection: it is ended by its PID once the paste was served.
 * Its stderr reports each served selection request, which is how the paste is confirmed.
 */
import { spawn } from 'node:child_process';

import { runTool } from './run-tool.js';
import type { MachineEnv } from './processes.js';

const REQUEST_LINE = /Waiting for selection request number (\d+)/g;
const SERVE_TIMEOUT_MS = 3_000;
/** After the first request of the paste, how long to wait for a follow-up before ending xclip. */
const FOLLOW_UP_MS = 250;

/**
 * Pastes `text` into the focused window. Throws when the clipboard did not hold exactly the
 * text, when xdotool failed, or when no window asked for the clipboard after ctrl+v.
 */
export async function pasteText(text: string, env: MachineEnv, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const server = new ClipboardServer(text, env);

  try {
    await server.waitForServed(0, signal);
    await verifyClipboard(text, env, signal);
    await server.waitForServed(1, signal);

    const press = await runTool('xdotool', ['key', '--clearmodifiers', 'ctrl+v'], {
      env,
      signal,
      timeoutMs: 5_000,
    });
    if (press.code !== 0) {
      throw new Error(`xdotool could not press ctrl+v: ${press.stderr || `status ${press.code}`}`);
    }

    await server.waitForServed(2, signal);
    await server.waitForQuiet(FOLLOW_UP_MS);
  } finally {
    server.stop();
  }
}

async function verifyClipboard(text: string, env: MachineEnv, signal: AbortSignal): Promise<void> {
  const read = await runTool('xclip', ['-o', '-selection', 'clipboard'], {
    env,
    signal,
    timeoutMs: SERVE_TIMEOUT_MS,
  });
  if (read.code !== 0 || !read.stdout.equals(Buffer.from(text, 'utf8'))) {
    throw new Error('the clipboard did not hold the text to paste');
  }
}

/** One xclip process owning the clipboard, counting the requests it has served. */
class ClipboardServer {
  private served = -1;
  private lastServedAt = Date.now();
  private exited = false;
  private readonly child;

  constructor(text: string, env: MachineEnv) {
    this.child = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
      env,
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.child.once('error', () => {
      this.exited = true;
    });
    this.child.once('exit', () => {
      this.exited = true;
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => this.count(chunk));
    this.child.stdin.on('error', () => undefined);
    this.child.stdin.end(text);
  }

  /** Resolves once more than `count` requests were served ("number N" means N-1 were). */
  async waitForServed(count: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + SERVE_TIMEOUT_MS;
    while (this.served < count) {
      signal.throwIfAborted();
      if (this.exited || Date.now() >= deadline) {
        throw new Error(
          count < 2
            ? 'xclip could not take the clipboard'
            : 'no window took the paste: is a text field focused?',
        );
      }
      await delay(10);
    }
  }

  async waitForQuiet(quietMs: number): Promise<void> {
    while (Date.now() - this.lastServedAt < quietMs && !this.exited) {
      await delay(10);
    }
  }

  stop(): void {
    if (this.exited || this.child.pid === undefined) {
      return;
    }
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      // Gone between the check and the kill.
    }
  }

  private count(chunk: string): void {
    for (const match of chunk.matchAll(REQUEST_LINE)) {
      this.served = Math.max(this.served, Number(match[1]) - 1);
      this.lastServedAt = Date.now();
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
