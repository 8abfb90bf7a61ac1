import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserCommand } from '../browser-commands/index.js';
import { windowCommand } from '../windows/index.js';
import { createDesktopDriver } from './index.js';
import type { ActionCommand } from '../../contracts/index.js';
import type { Machine } from '../driver.js';
import type { DesktopDriver } from './index.js';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Desk</title><style>
  body { margin: 0; font: 16px sans-serif }
  button { position: absolute; width: 140px; height: 40px }
</style></head><body>
<button id="a" style="left: 20px; top: 20px" onclick="hits.push('a')">Alpha</button>
<button id="b" style="left: 600px; top: 300px" onclick="hits.push('b')">Sign Up</button>
<input id="c" style="position: absolute; left: 300px; top: 450px; width: 300px" placeholder="Email">
<script>window.hits = []</script></body></html>`;

let server: Server;
let url = '';
let stateDir = '';
let driver: DesktopDriver;
let machine: Machine;
const signal = new AbortController().signal;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(request.url?.includes('two') ? PAGE.replace('Desk', 'Two') : PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  stateDir = await mkdtemp(join(tmpdir(), 'deskhand-desktop-dom-'));
  driver = createDesktopDriver({ stateDir, settleTimeoutMs: 1_000 });
  await driver.start({ id: 'dom', desktopEnabled: true, screenWidth: 1024, screenHeight: 768 });
  machine = await driver.open('dom');
}, 60_000);

afterAll(async () => {
  await driver?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(stateDir, { recursive: true, force: true });
});

async function run(command: ActionCommand, parameters: Record<string, unknown> = {}) {
  const browser = browserCommand(command);
  const definition = browser ?? windowCommand(command)!;
  const host: any = browser ? machine.browser : machine.windows;
  return definition.run(host, definition.parameters.parse(parameters), signal) as Promise<any>;
}

const hits = async (): Promise<string[]> =>
  (await machine.browser!.currentPage()).evaluate(() => (globalThis as any).hits as string[]);

describe('a desktop machine’s browser and windows', () => {
  it('reads the page on the display; a click at a listed box centre hits the element', async () => {
    await run('browser_open', { url });
    const { elements } = await run('browser_get_clickables');
    const buttons = elements.filter((element: any) => element.role === 'button');
    expect(buttons.map((element: any) => element.name)).toEqual(['Alpha', 'Sign Up']);
    // Below the browser's own tab strip and address bar, so lower on the screen than in the page.
    expect(buttons[0].y).toBeGreaterThan(20);

    for (const [index, button] of buttons.entries()) {
      const point = { x: button.center_x, y: button.center_y };
      const outcome = await machine.act({ type: 'click', button: 'left', ...point }, { signal });
      expect(outcome.ok).toBe(true);
      await expect.poll(hits).toEqual(['a', 'b'].slice(0, index + 1));
    }

    const observation = await machine.observe({ signal });
    expect(observation.accessibilityTree).toContain('button "Sign Up"');
    const signUp = buttons[1];
    expect(observation.elements).toContainEqual({
      role: 'button',
      name: 'Sign Up',
      x: signUp.x,
      y: signUp.y,
      width: 140,
      height: 40,
    });
  });

  it('offsets the boxes by where the browser window was moved on the screen', async () => {
    const { windows } = await run('list_windows');
    const browser = windows.find((window: any) => /chromium/i.test(window.class));
    const moved = await run('move_window', {
      window_id: browser.window_id,
      x: 70,
      y: 50,
      width: 900,
      height: 650,
    });
    expect(moved.window).toMatchObject({ x: 70, y: 50, maximized: false });

    await run('browser_open', { url });
    const { elements } = await run('browser_get_clickables');
    const alpha = elements.find((element: any) => element.name === 'Alpha');
    expect(alpha.x).toBeGreaterThanOrEqual(70 + 20);
    const before = (await hits()).length;
    const point = { x: alpha.center_x, y: alpha.center_y };
    await machine.act({ type: 'click', button: 'left', ...point }, { signal });
    await expect.poll(async () => (await hits()).slice(before)).toEqual(['a']);
    await run('maximize_window', { window_id: browser.window_id });
  });

  it('lists, moves, minimises, restores, arranges, switches to and closes windows', async () => {
    const { windows } = await run('list_windows');
    expect(windows.map((window: any) => window.class)).toEqual(
      expect.arrayContaining([expect.stringMatching(/xterm/i), expect.stringMatching(/chromium/i)]),
    );
    const terminal = windows.find((window: any) => /xterm/i.test(window.class));

    const moved = await run('move_window', { window_id: terminal.window_id, x: 300, y: 250 });
    expect(moved.window).toMatchObject({ x: 300, y: 250 });
    const switched = await run('switch_to_window', { window_id: terminal.window_id });
    expect(switched.window).toMatchObject({ active: true });
    // The terminal now covers the Sign Up button: it is no longer something a click would reach.
    const covered = await machine.observe({ signal });
    expect(covered.elements?.map((element) => element.name)).not.toContain('Sign Up');

    const minimized = await run('minimize_window', { title: terminal.title });
    expect(minimized.window).toMatchObject({ minimized: true });
    const uncovered = await machine.observe({ signal });
    expect(uncovered.elements?.map((element) => element.name)).toContain('Sign Up');

    const restored = await run('restore_window', { window_id: terminal.window_id });
    expect(restored.window).toMatchObject({ minimized: false, maximized: false, x: 300 });
    const arranged = await run('arrange_windows', { layout: 'grid' });
    const corners = arranged.windows.map((window: any) => [window.x, window.y]);
    expect(corners.sort()).toEqual([
      [0, 0],
      [512, 0],
    ]);
    // Each frame, title bar included, stays within its half of the screen.
    for (const window of arranged.windows) {
      expect(window.x + window.outer_width).toBeLessThanOrEqual(window.x === 0 ? 512 : 1024);
      expect(window.y + window.outer_height).toBeLessThanOrEqual(768);
    }
    const maximized = await run('maximize_window', { window_id: terminal.window_id });
    expect(maximized.window).toMatchObject({ maximized: true });

    await run('close_window', { window_id: terminal.window_id });
    const after = await run('list_windows');
    expect(after.windows.map((window: any) => window.window_id)).not.toContain(terminal.window_id);
    await expect(run('switch_to_window', { window_id: terminal.window_id })).rejects.toThrow(
      /No window/,
    );
  });

  it('switches the tab on the display and keeps a browser when every tab closes', async () => {
    await run('browser_open', { url });
    const first = await machine.browser!.currentPage();
    await run('browser_open_tab', { url: `${url}?two` });
    expect((await run('browser_list_tabs')).active_index).toBe(1);

    await run('browser_switch_tab', { index: 0 });
    // A click on the screen lands in the tab the switch brought up, not in the newer one.
    const { elements } = await run('browser_get_clickables');
    const alpha = elements.find((element: any) => element.name === 'Alpha');
    await machine.act(
      { type: 'click', button: 'left', x: alpha.center_x, y: alpha.center_y },
      { signal },
    );
    await expect.poll(() => first.evaluate(() => (globalThis as any).hits)).toEqual(['a']);

    // A switch made on the screen (ctrl+2 here, a click on the tab strip alike) is followed.
    expect((await machine.act({ type: 'key', keys: 'ctrl+2' }, { signal })).ok).toBe(true);
    await expect.poll(async () => (await run('browser_state')).title).toBe('Two');

    expect(await run('browser_close')).toMatchObject({ closed_tabs: 2 });
    expect((await run('browser_list_tabs')).tabs).toHaveLength(1);
    await run('browser_open', { url });
    expect(await run('browser_state')).toMatchObject({ title: 'Desk', tab_count: 1 });
  });

  it('starts the browser again with browser_open after its window was closed', async () => {
    const { windows } = await run('list_windows');
    const browser = windows.find((window: any) => /chromium/i.test(window.class));
    await run('close_window', { window_id: browser.window_id });
    await expect
      .poll(() =>
        run('browser_state').then(
          () => 'open',
          (error: Error) => error.message,
        ),
      )
      .toMatch(/browser_open starts it again/);

    await run('browser_open', { url });
    const { elements } = await run('browser_get_clickables');
    const alpha = elements.find((element: any) => element.name === 'Alpha');
    await machine.act(
      { type: 'click', button: 'left', x: alpha.center_x, y: alpha.center_y },
      { signal },
    );
    await expect.poll(hits).toEqual(['a']);
  });
});
