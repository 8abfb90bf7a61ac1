import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDesktopDriver } from './index.js';
import type { AgentAction } from '../../contracts/actions.js';
import type { Machine } from '../driver.js';
import type { DesktopDriver } from './index.js';

const machineId = `exact-${process.pid}`;
const stateDir = mkdtempSync(join(tmpdir(), 'dh-exact-state-'));
let driver: DesktopDriver;
let machine: Machine;
// Open to everyone: the machine's programs may run as a Unix user of their own.
const shared = mkdtempSync(join(tmpdir(), 'dh-exact-'));
chmodSync(shared, 0o777);

async function actOk(action: AgentAction): Promise<void> {
  expect(await machine.act(action, { signal: AbortSignal.timeout(30_000) })).toEqual({ ok: true });
}

/** Polls until `condition` holds, for up to 15 s; false if it never did. */
async function eventually(condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Gives the focus to the desktop's window of `windowClass`, as a click on it would. */
async function focus(windowClass: string): Promise<void> {
  const env = {
    PATH: process.env.PATH ?? '',
    DISPLAY: driver.displayOf(machineId) ?? '',
    // The display admits only holders of its cookie.
    XAUTHORITY: join(stateDir, machineId, 'xauthority'),
  };
  // Bounded: `windowactivate --sync` waits for as long as the window does not become active.
  const options = { env, timeout: 5_000 };
  const found = await eventually(() => {
    const search = spawnSync(
      'xdotool',
      ['search', '--onlyvisible', '--class', windowClass],
      options,
    );
    const window = search.stdout.toString().trim().split('\n').filter(Boolean).at(-1);
    return (
      window !== undefined &&
      spawnSync('xdotool', ['windowactivate', '--sync', window], options).status === 0
    );
  });
  expect(found, `a ${windowClass} window on the desktop`).toBe(true);
}

beforeAll(async () => {
  driver = createDesktopDriver({ stateDir });
  await driver.start({ id: machineId, desktopEnabled: true, screenWidth: 1024, screenHeight: 768 });
  machine = await driver.open(machineId);
}, 60_000);

afterAll(async () => {
  await driver?.close();
  rmSync(shared, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('typing into real programs on a desktop', () => {
  it('runs a command typed into the terminal after key return and after key Enter', async () => {
    await focus('xterm');
    await actOk({ type: 'type', text: `touch ${shared}/by-return` });
    await actOk({ type: 'key', keys: 'return' });
    await actOk({ type: 'type', text: `touch ${shared}/by-enter` });
    await actOk({ type: 'key', keys: 'Enter' });

    expect(await eventually(() => existsSync(join(shared, 'by-return')))).toBe(true);
    expect(await eventually(() => existsSync(join(shared, 'by-enter')))).toBe(true);
  });

  it('saves exactly what was typed into an editor', async () => {
    const file = join(shared, 'typed.txt');
    writeFileSync(file, '');
    chmodSync(file, 0o666);
    await focus('xterm');
    await actOk({ type: 'type', text: `mousepad ${file} &\n` });
    await focus('mousepad');

    const typed = ['--help -rf x', ` "double" 'single' $HOME \`tick\` back\\slash\nnext line`];
    for (const text of typed) {
      await actOk({ type: 'type', text });
    }
    await actOk({ type: 'key', keys: 'ctrl+s' });

    const expected = typed.join('');
    expect(await eventually(() => readFileSync(file, 'utf8') === expected)).toBe(true);
    await actOk({ type: 'key', keys: 'ctrl+q' });
  });

  it('captures the screen as JPEG when asked', async () => {
    const observation = await machine.observe({
      signal: AbortSignal.timeout(10_000),
      format: 'jpeg',
    });
    expect(observation.screenshot).toMatchObject({ format: 'jpeg', width: 1024, height: 768 });
    expect([...observation.screenshot.data.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });
});
