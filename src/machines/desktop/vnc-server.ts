/**
 * A VNC server (x11vnc) on a machine's display: on 127.0.0.1 only, asking for the machine's
 * password, which it reads from an rfbauth file that only the server's user can read.
 */
import { createCipheriv } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

import { killGroup, sleep, spawnGroup } from './processes.js';
import type { GroupProcess, MachineEnv } from './processes.js';

export interface VncServer {
  port: number;
  process: GroupProcess;
}

// The fixed key VNC uses to obscure stored passwords (d3des's {23,82,107,6,35,78,88,7},
// written in standard DES bit order).
const RFBAUTH_KEY = Buffer.from('e84ad660c4721ae0', 'hex');
const READY_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 3;

/** Starts x11vnc on `:display` and resolves once it answers an RFB greeting on its port. */
export async function startVncServer(
  display: number,
  password: string,
  dir: string,
  env: MachineEnv,
): Promise<VncServer> {
  const authFile = join(dir, 'vnc.auth');
  await writeFile(authFile, rfbauthFile(password), { mode: 0o600 });

  let lastError = '';
  // Another program may take the free port between the probe and x11vnc's bind: try anew.
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const port = await freeLoopbackPort();
    const started = await spawnGroup('x11vnc', 'x11vnc', vncArgs(display, port, authFile), env);
    if (await waitUntilListening(port, started)) {
      return { port, process: started };
    }
    lastError = started.stderrTail().split('\n').filter(Boolean).at(-1) ?? 'no message';
    await killGroup(started.record.pid);
  }
  throw new Error(`x11vnc failed on display :${display}: ${lastError}`);
}

function vncArgs(display: number, port: number, authFile: string): string[] {
  return [
    '-display',
    `:${display}`,
    '-rfbport',
    String(port),
    '-rfbauth',
    authFile,
    // -localhost also makes it listen on 127.0.0.1 alone; no IPv6 socket beside it.
    '-localhost',
    '-noipv6',
    '-forever',
    '-shared',
    // No control over X properties or commands, no ~/.x11vncrc, no name lookups.
    '-noremote',
    '-nocmds',
    '-norc',
    '-nolookup',
    '-quiet',
  ];
}

/**
 * The 8 bytes of an rfbauth file: the password, cut or padded with NULs to 8 bytes, DES
 * encrypted with VNC's fixed key (single DES as two-key triple DES with both keys equal).
 */
export function rfbauthFile(password: string): Buffer {
  const block = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(block, 0, 0, 8);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([RFBAUTH_KEY, RFBAUTH_KEY]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(port: number, started: GroupProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && started.child.exitCode === null) {
    if (await greets(port)) {
      return started.child.exitCode === null;
    }
    await sleep(50);
  }
  return false;
}

/** True when something on the port sends an RFB protocol version first. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('RFB ')));
  });
}
