import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useServer } from './support/suite.js';
import type { Api } from './support/api.js';

/** A page that reports clicks and submitted text to the test. */
class FormSite {
  readonly reports: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/report') {
        this.reports.push(url.searchParams.get('v') ?? '');
        response.end('ok');
        return;
      }
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><title>Sign up</title><body style="margin:0">
        <script>const report = (v) => fetch('/report?v=' + encodeURIComponent(v));</script>
        <form onsubmit="report('submit:' + email.value); return false">
          <label>Email <input id="email" autocomplete="off"></label>
          <button style="margin:40px">Sign Up</button></form></body>`);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  async until(report: string): Promise<void> {
    for (let tries = 0; tries < 100 && !this.reports.includes(report); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(this.reports).toContain(report);
  }

  async stop(): Promise<void> {
    // The machine's browser may still hold a connection open; it is not waited for.
    this.server?.closeAllConnections();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

async function keyWith(api: Api, scopes: string[]): Promise<Api> {
  const created = await api.post('/v1/keys', { name: scopes.join(' '), scopes });
  return api.withKey(created.body.key);
}

// The routes behave the same on either store; one keeps the suite small.
describe('browser, terminal and files routes of a machine', () => {
  const suite = useServer('sqlite');
  const site = new FormSite();
  let base = '';
  beforeAll(async () => {
    await site.start();
    base = `/v1/machines/${await suite.api.machine()}`;
  });
  afterAll(() => site.stop());

  it('opens a page, finds a button by name, clicks its box and types into a field', async () => {
    const { api } = suite;
    const opened = await api.post(`${base}/browser/open`, { parameters: { url: site.url } });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ success: true, command: 'browser_open', error: null });
    expect(opened.body.screenshot).toMatch(/^data:image\/jpeg;base64,/);

    const found = await api.post(`${base}/browser/clickables`, {});
    const elements: any[] = found.body.result.elements;
    const field = elements.find((element) => element.role === 'textbox');
    const button = elements.find((element) => element.name === 'Sign Up');
    expect(field).toMatchObject({ name: 'Email' });

    const click = (element: any) =>
      api.post(`${base}/actions`, {
        command: 'click',
        parameters: { x: element.center_x, y: element.center_y },
      });
    await click(field);
    await api.post(`${base}/actions`, { command: 'type', parameters: { text: 'a@b.c' } });
    await click(button);
    await site.until('submit:a@b.c');

    const typed = await api.post(`${base}/browser/type`, {
      parameters: { selector: '#email', text: `x'$\`y`, clear: true, press_enter: true },
    });
    expect(typed.body.success).toBe(true);
    await site.until(`submit:x'$\`y`);
  });

  it('answers a browser op that fails with success false and the reason', async () => {
    const missing = await suite.api.post(`${base}/browser/click`, {
      parameters: { text: 'Nowhere', timeout_ms: 200 },
    });
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ success: false, command: 'browser_click' });
    expect(missing.body.error).toMatch(/Nowhere/);
  });

  it('refuses unknown ops, bad parameters and missing scopes with the error envelope', async () => {
    const { api } = suite;
    const unknown = await api.post(`${base}/browser/teleport`, {});
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await api.post(`${base}/files/shred`, { parameters: {} })).status).toBe(422);

    const badTab = await api.post(`${base}/browser/switch-tab`, { parameters: { index: -1 } });
    expect(badTab.status).toBe(422);
    const windows = await api.post(`${base}/actions`, { command: 'list_windows' });
    expect(windows.status).toBe(422);
    expect(windows.body.error.message).toMatch(/no desktop.*browser_list_tabs/);

    const clicker = await keyWith(api, ['actions:exec']);
    const script = { command: 'browser_execute', parameters: { script: 'document.title' } };
    const refused = await clicker.post(`${base}/actions`, script);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.required_scope).toBe('browser:execute');
    expect((await clicker.post(`${base}/terminal`, { command: 'id' })).status).toBe(403);

    const executor = await keyWith(api, ['browser:execute']);
    const ran = await executor.post(`${base}/actions`, script);
    expect(ran.body.result).toMatchObject({ value: 'Sign up' });
  });

  it('runs terminal commands in sessions and caps the output at 5000 characters', async () => {
    const { api } = suite;
    await api.post(`${base}/terminal`, { command: 'mkdir -p w && cd w && export N=7' });
    const echoed = await api.post(`${base}/terminal`, { command: 'echo "$N $(basename $PWD)"' });
    expect(echoed.body).toMatchObject({ success: true, command: 'terminal_execute' });
    expect(echoed.body.result).toMatchObject({ output: '7 w\n', exit_code: 0 });

    const other = await api.post(`${base}/terminal`, {
      command: 'pwd',
      session_id: 'second',
      cwd: 'w',
    });
    expect(other.body.result.output).toMatch(/\/home\/w\n$/);

    const long = await api.post(`${base}/terminal`, {
      command: 'head -c 9000 /dev/zero | tr "\\0" a',
    });
    expect(long.body.result.output).toHaveLength(5000);
    expect(long.body.result.truncated).toBe(true);

    expect((await api.post(`${base}/terminal`, { command: 'pwd', cwd: '/etc' })).status).toBe(422);
    expect((await api.post(`${base}/terminal`, { command: '' })).status).toBe(422);
    expect((await api.post(`${base}/terminal`, { command: 'id', shell: 'x' })).status).toBe(422);
  });

  it('reads and writes files with each op’s scope, and refuses hostile paths', async () => {
    const { api } = suite;
    const content = 'é日本\n$x`y`';
    const written = await api.post(`${base}/files/write`, {
      parameters: { path: 'notes/a.txt', content },
    });
    expect(written.body).toMatchObject({ success: true, command: 'file_write' });
    const read = await api.post(`${base}/files/read`, { parameters: { path: 'notes/a.txt' } });
    expect(read.body.result.content).toBe(content);
    const listed = await api.post(`${base}/files/list-directory`, {
      parameters: { path: 'notes' },
    });
    expect(JSON.stringify(listed.body.result)).toContain('a.txt');

    for (const path of ['../../../../etc/passwd', '/etc/passwd', 'notes/../../..']) {
      const hostile = await api.post(`${base}/files/read`, { parameters: { path } });
      expect(hostile.status).toBe(422);
      expect(hostile.body.error.code).toBe('VALIDATION_ERROR');
    }
    const outside = await api.post(`${base}/files/write`, {
      parameters: { path: '../escaped.txt', content: 'x' },
    });
    expect(outside.status).toBe(422);

    const reader = await keyWith(api, ['files:read']);
    expect(
      (await reader.post(`${base}/files/exists`, { parameters: { path: 'notes' } })).body,
    ).toMatchObject({ success: true, result: { exists: true } });
    const denied = await reader.post(`${base}/files/delete`, {
      parameters: { path: 'notes/a.txt' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.details.required_scope).toBe('files:write');
    expect(
      (await api.post(`${base}/files/read`, { parameters: { path: 'notes/a.txt' } })).body.result
        .content,
    ).toBe(content);
  });

  it('shows a run’s agent the page’s accessibility tree with each observation', async () => {
    const { api, agent } = suite;
    await api.topUp(100);
    agent.on('look at the form', ({ step }) =>
      step === 1
        ? { actions: [{ type: 'navigate', url: site.url }] }
        : { actions: [], done: { success: true, summary: 'seen' } },
    );
    const machineId = base.split('/').at(-1);
    const run = await api.post('/v1/runs', { machine_id: machineId, task: 'look at the form' });
    expect((await api.waitForRun(run.body.id)).status).toBe('succeeded');

    const second = agent.requestsFor(run.body.id).find((request) => request.step === 2)!;
    const observation = second.observation as { url: string; accessibility_tree?: string };
    expect(observation.url).toBe(site.url);
    expect(observation.accessibility_tree).toContain('button "Sign Up"');
    expect(observation.accessibility_tree).toContain('textbox "Email"');
  });
});

describe('window and browser commands of a desktop machine over HTTP', () => {
  const suite = useServer('sqlite');
  const site = new FormSite();
  let base = '';
  beforeAll(async () => {
    await site.start();
    const created = await suite.api.post('/v1/machines', {
      display_name: 'desk',
      desktop_enabled: true,
    });
    base = `/v1/machines/${created.body.machine.id}`;
  });
  afterAll(() => site.stop());

  const act = (command: string, parameters: Record<string, unknown> = {}) =>
    suite.api.post(`${base}/actions`, { command, parameters });

  it('moves and minimises a window, and clicks a page element found by name', async () => {
    const listed = await act('list_windows');
    expect(listed.body.success).toBe(true);
    const terminal = listed.body.result.windows.find((window: any) => window.class === 'XTerm');
    const moved = await act('move_window', { window_id: terminal.window_id, x: 120, y: 90 });
    expect(moved.body.result.window).toMatchObject({ x: 120, y: 90 });
    const minimized = await act('minimize_window', { title: 'xterm' });
    expect(minimized.body.result.window).toMatchObject({ minimized: true });
    const again = await act('list_windows');
    expect(again.body.result.windows).toContainEqual(
      expect.objectContaining({ window_id: terminal.window_id, minimized: true, x: 120 }),
    );

    const hostile = await act('move_window', { window_id: '1; rm -rf ~', x: 1, y: 1 });
    expect(hostile.status).toBe(422);
    const offScreen = await act('move_window', { window_id: terminal.window_id, x: 5000, y: 1 });
    expect(offScreen.body).toMatchObject({ success: false });
    expect(offScreen.body.error).toMatch(/outside/);

    await suite.api.post(`${base}/browser/open`, { parameters: { url: site.url } });
    await suite.api.post(`${base}/browser/type`, {
      parameters: { role: 'textbox', name: 'Email', text: 'desk@b.c' },
    });
    const found = await suite.api.post(`${base}/browser/clickables`, {});
    const button = found.body.result.elements.find((element: any) => element.name === 'Sign Up');
    await act('click', { x: button.center_x, y: button.center_y });
    await site.until('submit:desk@b.c');
  });
});
