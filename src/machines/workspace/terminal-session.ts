import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

import { AppError } from '../../errors/index.js';
import { BoundedBytes, CommandOutput } from './command-output.js';
import { checkTimeout } from './execute-options.js';
import type { ExecuteOptions, ExecuteResult, TerminalOutput } from './execute-options.js';
import { signalGroup } from './process-group.js';
import { SHELL_INIT_SCRIPT, buildCommandScript } from './shell-protocol.js';

export interface TerminalSessionOptions {
  /** A bash executable; the command protocol relies on bash features. */
  shell: string;
  homeDir: string;
  /** The shell's whole environment (see `shellEnvironment`). */
  env: Record<string, string>;
  /** The most output bytes kept per execute and between reads. */
  maxOutputBytes: number;
  /** How long an interrupted command may take to stop before the shell is killed; ms. */
  interruptGraceMs: number;
  /** The Unix user and group the shell runs as; the server's own when absent. */
  runAs?: { uid: number; gid: number };
}

// Stdout may still hold data when 'exit' fires; a background job can keep it open forever.
const DRAIN_AFTER_EXIT_MS = 200;

interface RunningCommand {
  child: ChildProcessWithoutNullStreams;
  output: CommandOutput;
  timedOut: boolean;
  aborted: boolean;
  interrupted: boolean;
  timers: NodeJS.Timeout[];
  settle(end: { output: Buffer; truncated: boolean; exitCode: number | null }): void;
}

/**
 * One persistent bash process of a machine. Commands run in it one at a time, so `cd` and
 * variables carry over; the shell is its own process group so a timeout can reach the
 * command's whole tree.
 */
export class TerminalSession {
  private child?: ChildProcessWithoutNullStreams;
  /** A shell that exited and whose last output is still being read. */
  private draining?: ChildProcessWithoutNullStreams;
  private running?: RunningCommand;
  private readonly pending: BoundedBytes;

  constructor(
    readonly id: string,
    private readonly options: TerminalSessionOptions,
  ) {
    this.pending = new BoundedBytes(options.maxOutputBytes);
  }

  /** Starts the shell unless it runs; also restarts one that exited or was killed. */
  async start(): Promise<void> {
    if (this.child !== undefined) {
      return;
    }
    const child = spawn(this.options.shell, ['--noprofile', '--norc'], {
      cwd: this.options.homeDir,
      env: this.options.env,
      detached: true,
      stdio: 'pipe',
      ...this.options.runAs,
    });
    this.child = child;

    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined); // EPIPE after the shell died; 'exit' reports it.
    await this.waitForSpawn(child);

    child.stdout.on('data', (chunk: Buffer) => this.onOutput(child, chunk));
    child.stderr.on('data', (chunk: Buffer) => this.onOutput(child, chunk));
    child.once('exit', (code) => void this.onExit(child, code));
    child.stdin.write(SHELL_INIT_SCRIPT);
  }

  /** Runs a command in the shell and resolves when it ends, times out or is killed. */
  async execute(command: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const { script, token } = buildCommandScript(command);
    const timeoutMs = checkTimeout(options.timeoutMs);
    this.assertIdle();
    options.signal?.throwIfAborted();

    await this.start();
    this.assertIdle();
    this.pending.clear();

    return this.run(script, new CommandOutput(token, this.options.maxOutputBytes), {
      timeoutMs,
      signal: options.signal,
    });
  }

  /** Output the shell printed since the last read or execute (e.g. from background jobs). */
  read(): TerminalOutput {
    const { bytes, truncated } = this.pending.take();
    this.pending.clear();
    return { output: bytes.toString('utf8'), truncated };
  }

  /** Drops the output gathered since the last read or execute. */
  clear(): void {
    this.pending.clear();
  }

  /** Kills the shell and everything in its process group. */
  // LIMITATION: without a user of its own per machine, a process that left the group (setsid,
  // a daemon) survives; with one, deleting the machine ends every process of its user.
  async close(): Promise<void> {
    const child = this.child;
    if (child === undefined) {
      return;
    }
    const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : [];
    signalGroup(child, 'SIGKILL');
    await exited;
  }

  private run(
    script: string,
    output: CommandOutput,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ExecuteResult> {
    const child = this.child as ChildProcessWithoutNullStreams;
    const { signal } = options;

    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        running.aborted = true;
        this.interrupt(child, running);
      };
      const running: RunningCommand = {
        child,
        output,
        timedOut: false,
        aborted: false,
        interrupted: false,
        timers: [],
        settle: (end) => {
          running.timers.forEach(clearTimeout);
          signal?.removeEventListener('abort', onAbort);
          this.running = undefined;
          if (running.aborted) {
            reject(signal?.reason);
            return;
          }
          resolve({
            output: end.output.toString('utf8'),
            exit_code: end.exitCode,
            timed_out: running.timedOut,
            truncated: end.truncated,
          });
        },
      };

      this.running = running;
      const onTimeout = (): void => {
        running.timedOut = true;
        this.interrupt(child, running);
      };
      running.timers.push(setTimeout(onTimeout, options.timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdin.write(script);
    });
  }

  // SIGINT to the group stops the foreground command like Ctrl-C would, while the shell's
  // INT trap keeps the shell itself (and its cwd and variables) alive. A command that
  // survives SIGINT (a loop, a process ignoring it) gets the whole group killed.
  private interrupt(child: ChildProcessWithoutNullStreams, running: RunningCommand): void {
    if (running.interrupted) {
      return;
    }
    running.interrupted = true;
    signalGroup(child, 'SIGINT');
    const kill = (): void => signalGroup(child, 'SIGKILL');
    running.timers.push(setTimeout(kill, this.options.interruptGraceMs));
  }

  private onOutput(child: ChildProcessWithoutNullStreams, chunk: Buffer): void {
    if (child !== this.child && child !== this.draining) {
      return;
    }
    const running = this.running;
    const end = running?.output.push(chunk);
    if (running === undefined) {
      this.pending.push(chunk);
    } else if (end !== undefined) {
      this.pending.push(end.rest);
      running.settle(end);
    }
  }

  private async onExit(child: ChildProcessWithoutNullStreams, code: number | null): Promise<void> {
    this.child = this.child === child ? undefined : this.child;
    this.draining = child;
    if (!child.stdout.readableEnded) {
      await Promise.race([once(child.stdout, 'end'), delay(DRAIN_AFTER_EXIT_MS)]);
    }
    this.draining = this.draining === child ? undefined : this.draining;

    const running = this.running;
    if (running?.child === child) {
      running.settle({ ...running.output.partial(), exitCode: code });
    }
  }

  private async waitForSpawn(child: ChildProcessWithoutNullStreams): Promise<void> {
    try {
      await once(child, 'spawn');
    } catch (error) {
      this.child = undefined;
      throw new AppError('INVALID_STATE', `Could not start the shell '${this.options.shell}'.`, {
        cause: error,
      });
    }
  }

  private assertIdle(): void {
    if (this.running !== undefined) {
      throw new AppError('INVALID_STATE', `Terminal session '${this.id}' is running a command.`, {
        suggestion: 'Wait for the command to finish, or close the session.',
      });
    }
  }
}
