import { createCipheriv } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** What a VNC server answered to one authentication attempt (RFB 3.8, VNC authentication). */
export interface RfbAttempt {
  version: string;
  securityTypes: number[];
  /** 0 when the password was accepted, 1 when refused. */
  securityResult: number;
  /** The framebuffer size from ServerInit, after an accepted password. */
  screen?: { width: number; height: number };
}

/** VNC's challenge response: DES with the password's bytes, each bit-reversed, as the key. */
export function vncResponse(challenge: Buffer, password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let index = 0; index < 8; index += 1) {
    key[index] = reverseBits(key[index]!);
  }
  // Two-key triple DES with both keys equal is single DES (node:crypto has no des-ecb).
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

function reverseBits(byte: number): number {
  let reversed = 0;
  for (let bit = 0; bit < 8; bit += 1) {
    reversed = (reversed << 1) | ((byte >> bit) & 1);
  }
  return reversed;
}

/** Connects to 127.0.0.1:`port`, negotiates RFB 3.8 and tries `password`. */
export async function tryVncPassword(port: number, password: string): Promise<RfbAttempt> {
  const socket = connect({ host: '127.0.0.1', port });
  const reader = new SocketReader(socket);
  try {
    const version = (await reader.read(12)).toString('latin1');
    socket.write('RFB 003.008\n');
    const count = (await reader.read(1))[0]!;
    const securityTypes = [...(await reader.read(count))];
    if (!securityTypes.includes(2)) {
      return { version, securityTypes, securityResult: -1 };
    }

    socket.write(Buffer.from([2]));
    const challenge = await reader.read(16);
    socket.write(vncResponse(challenge, password));
    const securityResult = (await reader.read(4)).readUInt32BE(0);
    if (securityResult !== 0) {
      return { version, securityTypes, securityResult };
    }

    socket.write(Buffer.from([1])); // ClientInit: shared
    const init = await reader.read(4);
    const screen = { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
    return { version, securityTypes, securityResult, screen };
  } finally {
    socket.destroy();
  }
}

/** Reads exact byte counts from a socket, failing on close or after a timeout. */
class SocketReader {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiting?.();
    });
    const fail = (error: Error) => {
      this.failure = error;
      this.waiting?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the VNC server closed the connection')));
  }

  async read(length: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffered.length < length) {
      if (this.failure) {
        throw this.failure;
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${length} bytes from the VNC server within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
    const chunk = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return chunk;
  }
}
