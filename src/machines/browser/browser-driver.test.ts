import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createBrowserDriver } from './index.js';
import type { AgentAction } from '../../contracts/actions.js';
import type { Machine, MachineDriver } from '../driver.js';

const SCREEN = { width: 1024, height: 768 };

/** Something the test page told the server: a click, an input, a scroll, a form submission. */
interface Report {
  kind: string;
  machine: string;
  [field: string]: unknown;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>test page</title><style>
  body { margin: 0; height: 5000px; }
  button, a, form, textarea { position: absolute; }
  #left { left: 0; top: 0; width: 200px; height: 100px; }
  #right { left: 300px; top: 0; width: 200px; height: 100px; }
  #popup { left: 600px; top: 0; width: 200px; height: 100px; }
  form { left: 0; top: 150px; } #field { width: 400px; height: 30px; }
  #area { left: 0; top: 250px; width: 400px; height: 100px; }
</style></head><body>
<button id="left">Left</button><button id="right">Right</button>
<a id="popup" target="_blank">Popup</a>
<form action="/submit">
  <input id="field" name="q" autocomplete="off"><input type="hidden" name="m">
</form>
<textarea id="area"></textarea>
<script>
  const machine = new URLSearchParams(location.search).get('m');
  const report = (event) =>
    fetch('/report', { method: 'POST', body: JSON.stringify({ ...event, machine }) });
  document.querySelector('[name=m]').value = machine;
  document.getElementById('popup').href = '/submit?q=popup&m=' + machine;
  document.addEventListener('click', (e) =>
    report({ kind: 'click', target: e.target.id, x: e.clientX, y: e.clientY }));
  document.getElementById('area').addEventListener('input', (e) =>
    report({ kind: 'area', value: e.target.value }));
  window.addEventListener('scroll', () => report({ kind: 'scroll', y: window.scrollY }));
</script></body></html>`;

// Changes the DOM on every frame, so the screen never settles.
const BUSY_PAGE = `<!doctype html><html><body><p id="n">0</p><script>
  const tick = () => {
    document.getElementById('n').textContent = String(performance.now());
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
</script></body></html>`;

class TestSite {
  readonly reports: Report[] = [];
  private readonly listeners = new Set<() => void>();
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** The first report of `machine` that matches, waiting for it up to five seconds. */
  waitFor(machine: string, matches: (report: Report) => boolean): Promise<Report> {
    const find = (): Report | undefined =>
      this.reports.find((report) => report.machine === machine && matches(report));

    return new Promise((resolve, reject) => {
      const check = (): void => {
        const report = find();
        if (report !== undefined) {
          clearTimeout(timer);
          this.listeners.delete(check);
          resolve(report);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`No such report; got ${JSON.stringify(this.reports)}`));
      }, 5_000);
      this.listeners.add(check);
      check();
    });
  }

  reportsOf(machine: string, kind: string): Report[] {
    return this.reports.filter((report) => report.machine === machine && report.kind === kind);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const cookie = request.headers.cookie ?? '';

    if (url.pathname === '/report') {
      let body = '';
      for await (const chunk of request) {
        body += String(chunk);
      }
      this.record(JSON.parse(body) as Report);
    } else if (url.pathname === '/submit') {
      const machine = url.searchParams.get('m') ?? '';
      this.record({ kind: 'submit', machine, q: url.searchParams.get('q'), cookie });
      response.setHeader('set-cookie', `visited=${machine}`);
    }

    const html = url.pathname === '/busy' ? BUSY_PAGE : PAGE;
    response.writeHead(url.pathname === '/favicon.ico' ? 404 : 200, {
      'content-type': 'text/html; charset=utf-8',
    });
    response.end(html);
  }

  private record(report: Report): void {
    this.reports.push(report);
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}

const site = new TestSite();
let driver: MachineDriver;
let machineCount = 0;
const startedIds: string[] = [];

beforeAll(async () => {
  await site.start();
  driver = createBrowserDriver({ settleTimeoutMs: 1_000 });
});

// Machines left running would keep their pages busy and slow the tests after them.
afterEach(async () => {
  await Promise.all(startedIds.splice(0).map((id) => driver.destroy(id)));
});

afterAll(async () => {
  await driver?.close();
  await site.stop();
});

const live = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

/** A started machine showing the test page, and the id its reports carry. */
async function machineOnTestPage(path = '/'): Promise<Machine> {
  machineCount += 1;
  const id = `machine-${machineCount}`;
  startedIds.push(id);
  await driver.start({
    id,
    desktopEnabled: false,
    screenWidth: SCREEN.width,
    screenHeight: SCREEN.height,
  });
  const machine = await driver.open(id);

  const outcome = await machine.act({ type: 'navigate', url: site.url(`${path}?m=${id}`) }, live());
  expect(outcome).toEqual({ ok: true });
  return machine;
}

async function act(machine: Machine, action: AgentAction): Promise<void> {
  expect(await machine.act(action, live())).toEqual({ ok: true });
}

describe('browser machine input', () => {
  it('clicks the element under the point', async () => {
    const machine = await machineOnTestPage();

    await act(machine, { type: 'click', x: 400, y: 50, button: 'left' });

    const click = await site.waitFor(machine.id, (report) => report.kind === 'click');
    expect(click).toMatchObject({ target: 'right', x: 400, y: 50 });
  });

  it('types quotes, shell characters, backslashes and Unicode byte for byte', async () => {
    const machine = await machineOnTestPage();
    const text = `He said "hi" & it's $HOME \`ls\` C:\\temp\\x é日本 😀`;

    await act(machine, { type: 'click', x: 100, y: 165, button: 'left' });
    await act(machine, { type: 'type', text });
    await act(machine, { type: 'key', keys: 'Enter' });

    const submit = await site.waitFor(machine.id, (report) => report.kind === 'submit');
    expect(submit.q).toBe(text);
  });

  it('types a newline into a textarea as Enter', async () => {
    const machine = await machineOnTestPage();

    await act(machine, { type: 'click', x: 100, y: 300, button: 'left' });
    await act(machine, { type: 'type', text: 'first line\nsecond é日本' });

    const expected = 'first line\nsecond é日本';
    await site.waitFor(machine.id, (report) => report.kind === 'area' && report.value === expected);
  });

  it.each(['Return', 'Enter', 'return'])('submits a form with %s', async (keys) => {
    const machine = await machineOnTestPage();

    await act(machine, { type: 'click', x: 100, y: 165, button: 'left' });
    await act(machine, { type: 'type', text: 'hello' });
    await act(machine, { type: 'key', keys });

    const submit = await site.waitFor(machine.id, (report) => report.kind === 'submit');
    expect(submit.q).toBe('hello');
  });

  it('presses combos and releases their modifiers afterwards', async () => {
    const machine = await machineOnTestPage();

    await act(machine, { type: 'click', x: 100, y: 300, button: 'left' });
    await act(machine, { type: 'type', text: 'abc' });
    await act(machine, { type: 'key', keys: 'ctrl+a Del' });
    await act(machine, { type: 'type', text: 'x' });

    // With Control still held, "x" would have cut the selection instead of typing.
    await site.waitFor(machine.id, (report) => report.kind === 'area' && report.value === 'x');
  });

  it('scrolls the page under the pointer by the wheel delta', async () => {
    const machine = await machineOnTestPage();

    const action = { type: 'scroll', x: 500, y: 400, delta_x: 0, delta_y: 300 } as const;
    await act(machine, action);

    await site.waitFor(machine.id, (report) => report.kind === 'scroll' && report.y === 300);
  });

  it('refuses coordinates outside the screen and sends nothing', async () => {
    const machine = await machineOnTestPage();

    const outcome = await machine.act({ type: 'click', x: 1024, y: 10, button: 'left' }, live());
    await act(machine, { type: 'click', x: 100, y: 50, button: 'left' });

    expect(outcome).toEqual({
      ok: false,
      error: 'Coordinates (1024, 10) are outside the 1024x768 screen.',
    });
    await site.waitFor(machine.id, (report) => report.kind === 'click');
    expect(site.reportsOf(machine.id, 'click')).toHaveLength(1);
  });

  it('refuses an unknown key name and lists the valid ones', async () => {
    const machine = await machineOnTestPage();

    const outcome = await machine.act({ type: 'key', keys: 'ctrl+Frobnicate' }, live());

    expect(outcome.ok).toBe(false);
    expect(outcome.error).toContain('Unknown key "Frobnicate"');
    expect(outcome.error).toContain('Enter/Return');
  });

  it('rejects with the abort reason and sends no input when the signal has aborted', async () => {
    const machine = await machineOnTestPage();
    const controller = new AbortController();
    controller.abort();

    const click = { type: 'click', x: 400, y: 50, button: 'left' } as const;
    await expect(machine.act(click, controller)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(machine.observe(controller)).rejects.toMatchObject({ name: 'AbortError' });
    await act(machine, { type: 'click', x: 100, y: 50, button: 'left' });

    await site.waitFor(machine.id, (report) => report.kind === 'click');
    expect(site.reportsOf(machine.id, 'click')).toEqual([
      expect.objectContaining({ target: 'left' }),
    ]);
  });

  it('stops a wait as soon as the signal aborts', async () => {
    const machine = await machineOnTestPage();
    const controller = new AbortController();
    const startedAt = Date.now();

    setTimeout(() => controller.abort(), 50);
    await expect(machine.act({ type: 'wait', ms: 10_000 }, controller)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('reports a navigation failure instead of throwing', async () => {
    const machine = await machineOnTestPage();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const outcome = await machine.act(
      { type: 'navigate', url: `http://127.0.0.1:${port}/` },
      live(),
    );
    const local = await machine.act({ type: 'navigate', url: 'file:///etc/hostname' }, live());

    expect(outcome.ok).toBe(false);
    expect(outcome.error).toContain('ERR_CONNECTION_REFUSED');
    expect(local).toEqual({
      ok: false,
      error: 'Only http and https URLs can be opened, not file: URLs.',
    });
  });
});

describe('browser machine observation', () => {
  it('returns a PNG of the viewport with the page URL', async () => {
    const machine = await machineOnTestPage();

    const observation = await machine.observe(live());

    const png = observation.screenshot.data;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([SCREEN.width, SCREEN.height]);
    expect(observation.screenshot).toMatchObject({ format: 'png', ...SCREEN });
    expect(observation.url).toBe(site.url(`/?m=${machine.id}`));
    expect(observation.settled).toBe(true);
  });

  it('gives up waiting for a screen that keeps changing', async () => {
    const machine = await machineOnTestPage('/busy');
    const startedAt = Date.now();

    const observation = await machine.observe(live());

    expect(observation.settled).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(2_500);
  });

  it('shows a page the site opens in a new tab', async () => {
    const machine = await machineOnTestPage();

    await act(machine, { type: 'click', x: 700, y: 50, button: 'left' });
    await site.waitFor(machine.id, (report) => report.kind === 'submit' && report.q === 'popup');

    // The new tab is reported a moment after its first request; see BrowserSession.
    const shownUrl = async (): Promise<string | undefined> => (await machine.observe(live())).url;
    await expect.poll(shownUrl).toBe(site.url(`/submit?q=popup&m=${machine.id}`));
  });
});

describe('browser driver lifecycle', () => {
  it('keeps cookies of one machine away from another', async () => {
    const first = await machineOnTestPage();
    const second = await machineOnTestPage();

    await act(first, { type: 'navigate', url: site.url(`/submit?q=one&m=${first.id}`) });
    await act(first, { type: 'navigate', url: site.url(`/submit?q=two&m=${first.id}`) });
    await act(second, { type: 'navigate', url: site.url(`/submit?q=three&m=${second.id}`) });

    const submits = [...site.reportsOf(first.id, 'submit'), ...site.reportsOf(second.id, 'submit')];
    expect(submits.map((report) => report.cookie)).toEqual(['', `visited=${first.id}`, '']);
  });

  it('ignores a second start and refuses to open a machine after destroy', async () => {
    const spec = { id: 'lifecycle', desktopEnabled: false, screenWidth: 640, screenHeight: 480 };

    await expect(driver.open(spec.id)).rejects.toThrow(/has not been started/);
    await driver.start(spec);
    await driver.start(spec);
    const machine = await driver.open(spec.id);
    expect((await machine.observe(live())).screenshot).toMatchObject({ width: 640, height: 480 });

    await driver.destroy(spec.id);
    await expect(driver.open(spec.id)).rejects.toThrow(/has not been started/);
  });

  it('says which binary failed when Chromium cannot start', async () => {
    const broken = createBrowserDriver({ executablePath: '/nonexistent/chromium' });
    const spec = { id: 'broken', desktopEnabled: false, screenWidth: 640, screenHeight: 480 };

    await expect(broken.start(spec)).rejects.toThrow(
      /^Chromium failed to start from \/nonexistent\/chromium: /,
    );
    await expect(broken.open(spec.id)).rejects.toThrow(/has not been started/);
    await broken.close();
  });
});
