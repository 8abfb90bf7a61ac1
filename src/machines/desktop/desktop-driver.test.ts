import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDesktopDriver } from './index.js';
import type { AgentAction } from '../../contracts/actions.js';
import type { Machine } from '../driver.js';
import type { DesktopDriver, MachineState } from './index.js';

const SCREEN = { width: 1024, height: 768 };

/** Client-area boxes; the browser's toolbar (under 150 px) sits above them on the screen. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><style>
  body { margin: 0; height: 6000px; font: 16px sans-serif; }
  #left, #right, #area, form { position: absolute; top: 150px; }
  #left { left: 0; width: 300px; height: 200px; }
  #right { left: 400px; width: 300px; height: 200px; }
  #area { top: 380px; left: 0; width: 500px; height: 200px; }
  form { top: 380px; left: 600px; } #field { width: 300px; height: 200px; }
</style></head><body>
<button id="left">Left</button><button id="right">Right</button>
<textarea id="area"></textarea>
<form action="/submit"><input id="field" name="q" autocomplete="off"></form>
<script>
  const report = (event) => fetch('/report', { method: 'POST', body: JSON.stringify(event) });
  addEventListener('load', () => report({ kind: 'load', search: location.search }));
  document.addEventListener('click', (e) =>
    report({ kind: 'click', target: e.target.id, ctrl: e.ctrlKey, shift: e.shiftKey }));
  document.getElementById('area').addEventListener('input', (e) =>
    report({ kind: 'area', value: e.target.value }));
  addEventListener('scroll', () => report({ kind: 'scroll', y: scrollY }));
</script></body></html>`;

interface Report {
  kind: string;
  [field: string]: unknown;
}

/** A page on 127.0.0.1 that posts what happens in it back to the test. */
class TestSite {
  private reports: Report[] = [];
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  clear(): void {
    this.reports = [];
  }

  /** Polls for a matching report for up to ten seconds. */
  async waitFor(matches: (report: Report) => boolean): Promise<Report> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const found = this.reports.find(matches);
      if (found !== undefined) {
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`No matching report among ${JSON.stringify(this.reports)}`);
  }

  last(kind: string): Report | undefined {
    return this.reports.filter((report) => report.kind === kind).at(-1);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/report') {
      let body = '';
      for await (const chunk of request) {
        body += String(chunk);
      }
      this.reports.push(JSON.parse(body) as Report);
    } else if (url.pathname === '/submit') {
      this.reports.push({ kind: 'submit', q: url.searchParams.get('q') });
    }
    response.writeHead(url.pathname === '/favicon.ico' ? 404 : 200, {
      'content-type': 'text/html; charset=utf-8',
    });
    response.end(PAGE);
  }
}

const site = new TestSite();
let stateDir: string;
let driver: DesktopDriver;
let machine: Machine;

function act(action: AgentAction, target = machine) {
  return target.act(action, { signal: AbortSignal.timeout(20_000) });
}

async function actOk(action: AgentAction): Promise<void> {
  expect(await act(action)).toEqual({ ok: true });
}

let visits = 0;

/** Opens the test page afresh; a unique query tells its load from that of an earlier page. */
async function openPage(): Promise<void> {
  visits += 1;
  const search = `?visit=${visits}`;
  await actOk({ type: 'navigate', url: site.url(`/${search}`) });
  await site.waitFor((report) => report.kind === 'load' && report.search === search);
  // As an agent would: look before acting. Input sent before the new page's first frame is
  // shown can be dropped by Chromium, and the settle wait covers that.
  await machine.observe({ signal: AbortSignal.timeout(10_000) });
  site.clear();
}

/** Clicks into the textarea and empties it. */
async function focusEmptyArea(): Promise<void> {
  await clickAndSeeIt(250, 560, 'area');
  await actOk({ type: 'key', keys: 'ctrl+a Delete' });
  site.clear();
}

/**
 * Clicks and waits until the page has handled the click, as an agent that looks before its
 * next action would: a key sent while focus is still moving can reach the old focus.
 */
async function clickAndSeeIt(x: number, y: number, target: string): Promise<void> {
  site.clear();
  await actOk({ type: 'click', x, y, button: 'left' });
  await site.waitFor((report) => report.kind === 'click' && report.target === target);
}

async function readState(machineId: string, directory = stateDir): Promise<MachineState> {
  return JSON.parse(await readFile(join(directory, machineId, 'machine.json'), 'utf8'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await site.start();
  stateDir = await mkdtemp(join(tmpdir(), 'deskhand-desktop-'));
  driver = createDesktopDriver({ stateDir, settleTimeoutMs: 2_000 });
  await driver.start({ id: 'main', desktopEnabled: true, screenWidth: 1024, screenHeight: 768 });
  machine = await driver.open('main');
  await openPage();
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await site.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('desktop machine', () => {
  it('clicks the element under the point', async () => {
    await actOk({ type: 'click', x: 150, y: 330, button: 'left' });
    expect(await site.waitFor((report) => report.kind === 'click')).toMatchObject({
      target: 'left',
    });

    site.clear();
    await actOk({ type: 'click', x: 550, y: 330, button: 'left' });
    expect(await site.waitFor((report) => report.kind === 'click')).toMatchObject({
      target: 'right',
    });
  });

  it('holds a click’s modifiers for the click alone', async () => {
    site.clear();
    const modifiers: ('ctrl' | 'shift')[] = ['ctrl', 'shift'];
    await actOk({ type: 'click', x: 150, y: 330, button: 'left', modifiers });
    expect(await site.waitFor((report) => report.kind === 'click')).toMatchObject({
      target: 'left',
      ctrl: true,
      shift: true,
    });

    site.clear();
    await actOk({ type: 'click', x: 150, y: 330, button: 'left' });
    expect(await site.waitFor((report) => report.kind === 'click')).toMatchObject({
      ctrl: false,
      shift: false,
    });
  });

  it('types option-like text byte for byte', async () => {
    await focusEmptyArea();
    const text = '--help -rf x';

    await actOk({ type: 'type', text });

    await site.waitFor((report) => report.kind === 'area' && report.value === text);
  });

  it('types quotes, shell characters, a newline and non-ASCII byte for byte', async () => {
    await focusEmptyArea();
    const text = 'a\'b"c $d `e` f\\g\né日本';

    await actOk({ type: 'type', text });

    await site.waitFor((report) => report.kind === 'area' && report.value === text);
    expect(site.last('area')?.value).toBe(text);
  });

  it('submits a form with Return and with Enter', async () => {
    for (const key of ['Return', 'Enter']) {
      await openPage();
      await clickAndSeeIt(750, 560, 'field');
      await actOk({ type: 'type', text: `by ${key}` });

      await actOk({ type: 'key', keys: key });

      await site.waitFor((report) => report.kind === 'submit' && report.q === `by ${key}`);
    }
  });

  it('scrolls the page down for a positive delta_y', async () => {
    await openPage();

    await actOk({ type: 'scroll', x: 500, y: 400, delta_x: 0, delta_y: 300 });

    const scrolled = await site.waitFor((report) => report.kind === 'scroll');
    expect(scrolled.y).toBeGreaterThan(0);
  });

  it('refuses coordinates outside the screen', async () => {
    const outcome = await act({ type: 'click', x: SCREEN.width, y: 10, button: 'left' });

    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/outside the 1024x768 screen/);
  });

  it('observes the whole screen as a settled PNG', async () => {
    const observation = await machine.observe({ signal: AbortSignal.timeout(10_000) });

    expect(observation.settled).toBe(true);
    expect(observation.screenshot).toMatchObject({ format: 'png', ...SCREEN });
    expect(observation.screenshot.data.subarray(1, 4).toString()).toBe('PNG');
  });

  it('rejects with the reason when the signal aborts a wait', async () => {
    const controller = new AbortController();
    const waiting = machine.act({ type: 'wait', ms: 10_000 }, { signal: controller.signal });

    controller.abort(new Error('run cancelled'));

    await expect(waiting).rejects.toThrow('run cancelled');
  });
});

describe('desktop driver lifecycle', () => {
  it('gives concurrent machines distinct displays despite a stale lock', async () => {
    const staleDisplay = freeDisplayNumber();
    await writeFile(`/tmp/.X${staleDisplay}-lock`, `${String(deadPid()).padStart(10)}\n`);
    const ids = ['c1', 'c2', 'c3'];

    await Promise.all(
      ids.map((id) =>
        driver.start({ id, desktopEnabled: true, screenWidth: 640, screenHeight: 480 }),
      ),
    );

    const displays = ids.map((id) => driver.displayOf(id));
    expect(new Set(displays).size).toBe(3);
    for (const [index, display] of displays.entries()) {
      const probe = (env: NodeJS.ProcessEnv) =>
        spawnSync('xdpyinfo', ['-display', display ?? ''], { env }).status;
      const cookie = join(stateDir, ids[index]!, 'xauthority');
      expect(probe({ PATH: process.env.PATH, XAUTHORITY: cookie })).toBe(0);
      // Without the machine's cookie no client gets in.
      expect(probe({ PATH: process.env.PATH, XAUTHORITY: '/nonexistent' })).not.toBe(0);
    }

    const states = await Promise.all(ids.map((id) => readState(id)));
    await Promise.all(ids.map((id) => driver.destroy(id)));

    for (const state of states) {
      expect(state.processes.map((record) => record.name)).toContain('chromium');
      expect(state.processes.filter((record) => alive(record.pid))).toEqual([]);
      expect(existsSync(`/tmp/.X${state.display}-lock`)).toBe(false);
      expect(existsSync(join(stateDir, state.machineId))).toBe(false);
    }
  }, 60_000);

  it('reapOrphans ends the machines of a driver that crashed', async () => {
    // A server of its own, with its own state directory, so the shared machine is not its orphan.
    const serverStateDir = await mkdtemp(join(tmpdir(), 'deskhand-desktop-crash-'));
    const crashed = createDesktopDriver({ stateDir: serverStateDir });
    await crashed.start({
      id: 'orphan',
      desktopEnabled: true,
      screenWidth: 640,
      screenHeight: 480,
    });
    const state = await readState('orphan', serverStateDir);
    // The crashed driver is simply dropped: nothing closes its machine.

    const report = await createDesktopDriver({ stateDir: serverStateDir }).reapOrphans();

    expect(report.machineIds).toEqual(['orphan']);
    expect(state.processes).toHaveLength(4);
    expect(state.processes.filter((record) => alive(record.pid))).toEqual([]);
    expect(existsSync(`/tmp/.X${state.display}-lock`)).toBe(false);
    expect(existsSync(join(serverStateDir, 'orphan'))).toBe(false);
    await rm(serverStateDir, { recursive: true, force: true });
  }, 60_000);
});

/** The lowest display number from 100 up with neither a lock nor a socket. */
function freeDisplayNumber(): number {
  let number = 100;
  while (existsSync(`/tmp/.X${number}-lock`) || existsSync(`/tmp/.X11-unix/X${number}`)) {
    number += 1;
  }
  return number;
}

/** The PID of a process that has exited, as a crashed X server's lock would name. */
function deadPid(): number {
  const result = spawnSync('true');
  return result.pid ?? 999_999;
}
