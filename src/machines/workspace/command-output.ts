import { markerPrefix } from './shell-protocol.js';

/** Bytes kept up to a limit; what comes after is counted and dropped. */
export class BoundedBytes {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(private readonly limitBytes: number) {}

  push(chunk: Buffer): void {
    const room = this.limitBytes - this.keptBytes;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.keptBytes += kept.length;
    }
    this.droppedBytes += Math.max(0, chunk.length - Math.max(room, 0));
  }

  /** The kept bytes (at most `endByte` of them) and whether any were dropped or cut off. */
  take(endByte = Infinity): { bytes: Buffer; truncated: boolean } {
    const all = Buffer.concat(this.chunks);
    const bytes = all.subarray(0, Math.min(all.length, endByte));
    const truncated = Number.isFinite(endByte) ? endByte > this.keptBytes : this.droppedBytes > 0;
    return { bytes, truncated };
  }

  clear(): void {
    this.chunks = [];
    this.keptBytes = 0;
    this.droppedBytes = 0;
  }
}

/** The end of a command: its exit code and whatever the stream carried after the marker. */
export interface CommandEnd {
  output: Buffer;
  truncated: boolean;
  exitCode: number;
  rest: Buffer;
}

// Enough to hold a marker split across chunks: prefix, a three-digit code and a newline.
const WINDOW_BYTES = 256;

/** Collects one command's output and watches the stream for its end marker. */
export class CommandOutput {
  private readonly prefix: Buffer;
  private readonly kept: BoundedBytes;
  private window = Buffer.alloc(0);
  private totalBytes = 0;

  constructor(token: string, limitBytes: number) {
    this.prefix = markerPrefix(token);
    this.kept = new BoundedBytes(limitBytes);
  }

  /** Adds a chunk of the shell's output; returns the command's end once the marker is in. */
  push(chunk: Buffer): CommandEnd | undefined {
    const windowStart = this.totalBytes - this.window.length;
    const scanned = Buffer.concat([this.window, chunk]);
    this.totalBytes += chunk.length;
    this.kept.push(chunk);

    const found = findMarker(scanned, this.prefix);
    if (found === undefined) {
      this.window = scanned.subarray(Math.max(0, scanned.length - WINDOW_BYTES));
      return undefined;
    }

    const markerStart = windowStart + found.start;
    const { bytes, truncated } = this.kept.take(markerStart);
    return {
      output: bytes,
      truncated,
      exitCode: found.exitCode,
      rest: scanned.subarray(found.end),
    };
  }

  /** What arrived so far, for a command that ended without a marker. */
  partial(): { output: Buffer; truncated: boolean } {
    const { bytes, truncated } = this.kept.take();
    return { output: bytes, truncated };
  }
}

function findMarker(
  scanned: Buffer,
  prefix: Buffer,
): { start: number; end: number; exitCode: number } | undefined {
  const start = scanned.indexOf(prefix);
  if (start === -1) {
    return undefined;
  }
  const codeStart = start + prefix.length;
  const newline = scanned.indexOf(0x0a, codeStart);
  if (newline === -1) {
    return undefined;
  }

  const exitCode = Number(scanned.subarray(codeStart, newline).toString('latin1'));
  return { start, end: newline + 1, exitCode };
}
