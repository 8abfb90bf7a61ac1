import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gate } from './support/agent-server.js';
import { testStores } from './support/server.js';
import { useServer } from './support/suite.js';

/** A page that reports clicks, submitted text and its scroll offset to the test. */
class ReportingPage {
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
      response.setHeader('content-type', 'text/html');
      response.end(`<body style="margin:0;height:5000px">
        <script>const report = (v) => fetch('/report?v=' + encodeURIComponent(v));</script>
        <button id="b" style="position:absolute;left:0;top:0;width:200px;height:50px"
          onclick="report('clicked' + (event.ctrlKey ? '+ctrl' : '') +
            (event.shiftKey ? '+shift' : ''))">B</button>
        <form style="position:absolute;left:0;top:100px" onsubmit="report('submit:' +
          document.getElementById('t').value); return false">
          <input id="t" style="width:400px;height:40px"></form>
        <script>addEventListener('scroll', () => report('scroll:' + scrollY))</script></body>`);
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
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe.each(testStores)('machine screenshots and actions on %s', (store) => {
  const suite = useServer(store);
  const page = new ReportingPage();
  let machineId = '';
  beforeAll(async () => {
    await page.start();
    machineId = await suite.api.machine();
  });
  afterAll(() => page.stop());

  const act = (command: string, parameters: Record<string, unknown> = {}) =>
    suite.api.post(`/v1/machines/${machineId}/actions`, { command, parameters });

  it('captures the screen as JPEG by default and as PNG on request', async () => {
    const jpeg = await suite.api.get(`/v1/machines/${machineId}/screenshot`);
    expect(jpeg.status).toBe(200);
    expect(jpeg.body).toMatchObject({ mime_type: 'image/jpeg', width: 1280, height: 800 });
    expect(Buffer.from(jpeg.body.image_b64, 'base64').subarray(0, 2)).toEqual(
      Buffer.from([0xff, 0xd8]),
    );

    const png = await suite.api.get(`/v1/machines/${machineId}/screenshot?format=png`);
    expect(Buffer.from(png.body.image_b64, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('navigates, clicks, types, presses keys and scrolls, each arriving on the page', async () => {
    const navigated = await act('browser_navigate', { url: page.url });
    expect(navigated.body).toMatchObject({ success: true, command: 'browser_navigate' });
    expect(navigated.body.screenshot).toMatch(/^data:image\/jpeg;base64,/);

    expect((await act('click', { x: 100, y: 25 })).body.success).toBe(true);
    await page.until('clicked');

    await act('click', { x: 100, y: 120 });
    await act('type', { text: `a'b"c $d \`e\` f\\g é日本` });
    await act('key_press', { key: 'Return' });
    await page.until(`submit:a'b"c $d \`e\` f\\g é日本`);

    await act('scroll', { x: 600, y: 400, delta_y: 300 });
    await page.until('scroll:300');
  });

  it('runs a batch in order and stops at the first failure unless told otherwise', async () => {
    const steps = [
      { command: 'click', parameters: { x: 10, y: 10 } },
      { command: 'click', parameters: { x: 5000, y: 10 } },
      { command: 'screenshot', parameters: {} },
    ];
    const stopped = await suite.api.post(`/v1/machines/${machineId}/actions/batch`, { steps });
    expect(stopped.body).toMatchObject({ completed_count: 1, failed_count: 1, aborted: true });
    expect(stopped.body.results[1].error).toMatch(/outside/);

    const all = await suite.api.post(`/v1/machines/${machineId}/actions/batch`, {
      steps,
      stop_on_error: false,
    });
    expect(all.body).toMatchObject({ completed_count: 2, failed_count: 1, aborted: false });
    expect(all.body.results).toHaveLength(3);
  });

  it('holds the modifiers of click_with_modifiers for the click, then releases them', async () => {
    await act('browser_navigate', { url: page.url + '?modifiers' });
    const modified = await act('click_with_modifiers', {
      x: 100,
      y: 25,
      modifiers: ['Control', 'shift'],
    });
    expect(modified.body).toMatchObject({ success: true });
    await page.until('clicked+ctrl+shift');

    await act('click', { x: 100, y: 25 });
    await page.until('clicked');
  });

  it('refuses bad commands before doing anything, and checks each command’s scope', async () => {
    const badStep = await suite.api.post(`/v1/machines/${machineId}/actions/batch`, {
      steps: [
        { command: 'browser_navigate', parameters: { url: page.url + '?never' } },
        { command: 'click', parameters: { x: 'left' } },
      ],
    });
    expect(badStep.status).toBe(422);
    expect(page.reports).not.toContain('never');

    const unknown = await act('jump', {});
    expect(unknown.status).toBe(422);
    const unknownModifier = await act('click_with_modifiers', { x: 1, y: 1, modifiers: ['hyper'] });
    expect(unknownModifier.status).toBe(422);
    expect(JSON.stringify(unknownModifier.body)).toContain('Unknown modifier');

    const keyed = await suite.api.post('/v1/keys', { name: 'clicks', scopes: ['actions:exec'] });
    const clicker = suite.api.withKey(keyed.body.key);
    const terminal = await clicker.post(`/v1/machines/${machineId}/actions`, {
      command: 'terminal_execute',
      parameters: { command: 'id' },
    });
    expect(terminal.status).toBe(403);
    expect(terminal.body.error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('refuses actions while a run drives the machine, allows them awaiting a human', async () => {
    const { api, agent } = suite;
    await api.topUp(100);
    const held = gate();
    agent.on('hold for actions', async ({ step }) => {
      if (step === 1) {
        await held.promise;
        return { actions: [], needs_human: { reason: 'your turn' } };
      }
      return { actions: [], done: { success: true, summary: 'ok' } };
    });
    const run = await api.post('/v1/runs', { machine_id: machineId, task: 'hold for actions' });
    await api.waitForRun(run.body.id, (body) => body.status === 'running');

    const refused = await act('click', { x: 10, y: 10 });
    expect(refused.status).toBe(409);
    held.open();
    await api.waitForRun(run.body.id, (body) => body.status === 'awaiting_human');
    expect((await act('click', { x: 10, y: 10 })).body.success).toBe(true);

    await api.post(`/v1/runs/${run.body.id}/resume`, { note: 'done by hand' });
    expect((await api.waitForRun(run.body.id)).status).toBe('succeeded');
  });
});
