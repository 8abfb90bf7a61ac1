import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBrowserDriver } from '../browser/index.js';
import { browserCommand } from './index.js';
import type { ActionCommand } from '../../contracts/index.js';
import type { Machine, MachineDriver } from '../driver.js';

/** Clicks and typing are recorded in the page itself, so the test reads what arrived. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Form</title><style>
  body { margin: 0; font: 16px sans-serif; height: 3000px }
  #bar { position: fixed; top: 0; left: 0; right: 0; height: 40px; background: #ddd; z-index: 9 }
  #under { position: absolute; top: 10px; left: 300px; width: 120px; height: 20px }
  #wrap { position: absolute; top: 60px; left: 0; width: 130px }
  #go { position: absolute; top: 140px; left: 20px; width: 100px; height: 30px }
  #ghost { position: absolute; top: 140px; left: 200px; opacity: 0 }
  #email { position: absolute; top: 200px; left: 20px; width: 300px }
  #agree { position: absolute; top: 250px; left: 20px }
  #covered { position: absolute; top: 300px; left: 20px; width: 100px; height: 30px }
  #sheet { position: absolute; top: 290px; left: 0; width: 200px; height: 60px; background: #fff }
  #half { position: absolute; top: 30px; left: 600px; width: 100px; height: 40px }
</style></head><body>
<div id="bar">Bar</div>
<button id="under" onclick="hit('under')">Hidden by bar</button>
<button id="half" onclick="hit('half')">Half</button>
<div id="wrap">Some text then <a id="long" href="#x" onclick="hit('long');return false">a link
  that wraps onto the next line</a> and more.</div>
<button id="go" onclick="hit('go')">Sign Up</button>
<button id="ghost" onclick="hit('ghost')">Ghost</button>
<label for="email">Email</label><input id="email" autocomplete="off">
<label id="agree"><input type="checkbox" id="box" onclick="hit('box')"> I agree</label>
<button id="covered" onclick="hit('covered')">Covered</button><div id="sheet"></div>
<iframe id="frame" style="position: absolute; left: 600px; top: 400px; width: 300px; height: 100px;
  border: 7px solid #000" srcdoc="<body style='margin:0'>
  <button style='position:absolute;left:10px;top:10px'
    onclick='parent.hit(&quot;inner&quot;)'>Inner</button>
  <button style='position:absolute;left:10px;top:300px'>Below the fold</button></body>"></iframe>
<script>window.hits = []; function hit(id) { hits.push(id) }</script>
</body></html>`;

let server: Server;
let url = '';
let driver: MachineDriver;
let machine: Machine;
const signal = new AbortController().signal;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  driver = createBrowserDriver({ settleTimeoutMs: 500 });
  const spec = { id: 'dom-machine', desktopEnabled: false, screenWidth: 1024, screenHeight: 700 };
  await driver.start(spec);
  machine = await driver.open(spec.id);
});

afterAll(async () => {
  await driver?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function run(command: ActionCommand, parameters: Record<string, unknown> = {}) {
  const definition = browserCommand(command)!;
  return definition.run(machine.browser!, definition.parameters.parse(parameters), signal);
}

const hits = async (): Promise<string[]> =>
  (await machine.browser!.currentPage()).evaluate(() => (globalThis as any).hits as string[]);

describe('DOM-level browser commands on a headless machine', () => {
  it('lists only elements whose box centre a click lands on, and each click hits it', async () => {
    await run('browser_open', { url });
    const { elements } = (await run('browser_get_clickables')) as { elements: any[] };
    const names = elements.map((element) => element.name);
    expect(names).toEqual(
      expect.arrayContaining(['Half', 'a link that wraps onto the next line', 'Sign Up', 'Email']),
    );
    // Under the fixed bar, transparent, or under a sheet: a click would not reach them.
    expect(names).not.toContain('Hidden by bar');
    expect(names).not.toContain('Ghost');
    expect(names).not.toContain('Covered');
    // Inside an iframe: listed where the iframe shows it, not past the iframe's bottom.
    expect(names).toContain('Inner');
    expect(names).not.toContain('Below the fold');
    expect(elements.find((element) => element.name === 'Email')).toMatchObject({
      role: 'textbox',
    });

    for (const element of elements.filter((candidate) => candidate.role !== 'textbox')) {
      const x = element.x + element.width / 2;
      const y = element.y + element.height / 2;
      for (const point of [
        { x: Math.floor(x), y: Math.floor(y) },
        { x: Math.round(x), y: Math.round(y) },
      ]) {
        const before = (await hits()).length;
        const outcome = await machine.act({ type: 'click', button: 'left', ...point }, { signal });
        expect(outcome.ok).toBe(true);
        const id = { Half: 'half', 'Sign Up': 'go', 'I agree': 'box', Inner: 'inner' }[
          element.name as string
        ];
        expect((await hits()).slice(before)).toEqual([id ?? 'long']);
      }
    }
  });

  it('fills the observation with an outline and the same boxes', async () => {
    await run('browser_open', { url });
    const observation = await machine.observe({ signal });
    expect(observation.accessibilityTree).toContain('button "Sign Up"');
    expect(observation.accessibilityTree).toContain('textbox "Email"');
    const signUp = observation.elements?.find((element) => element.name === 'Sign Up');
    expect(signUp).toEqual({
      role: 'button',
      name: 'Sign Up',
      x: 20,
      y: 140,
      width: 100,
      height: 30,
    });
  });

  it('clicks by text, types exactly into a field, and refuses what is not there', async () => {
    await run('browser_open', { url });
    expect(await run('browser_click', { text: 'Sign Up' })).toMatchObject({
      clicked: { tag: 'button', text: 'Sign Up' },
    });
    expect(await hits()).toEqual(['go']);

    const text = `a'b"c $d \`e\` f\\g -rf é日本`;
    await run('browser_type', { selector: '#email', text });
    const page = await machine.browser!.currentPage();
    expect(await page.inputValue('#email')).toBe(text);
    await run('browser_type', { role: 'textbox', name: 'Email', text: 'new', clear: true });
    expect(await page.inputValue('#email')).toBe('new');

    await expect(run('browser_click', { text: 'No such thing', timeout_ms: 300 })).rejects.toThrow(
      /Could not use an element with the text "No such thing"/,
    );
  });

  it('opens, lists, switches and closes tabs, and the screen follows the switch', async () => {
    await run('browser_close');
    await run('browser_open', { url });
    await run('browser_open_tab', { url: `${url}?second` });
    const listed = (await run('browser_list_tabs')) as { tabs: any[]; active_index: number };
    expect(listed.tabs.map((tab) => tab.url)).toEqual([url, `${url}?second`]);
    expect(listed.active_index).toBe(1);

    await run('browser_switch_tab', { index: 0 });
    expect((await machine.observe({ signal, screenOnly: true })).url).toBe(url);
    await run('browser_close_tab', { index: 0 });
    expect((await machine.observe({ signal, screenOnly: true })).url).toBe(`${url}?second`);
    await expect(run('browser_switch_tab', { index: 5 })).rejects.toThrow(/no tab 5/);
  });

  it('reads the DOM and state, runs a script, scrolls and waits', async () => {
    await run('browser_open', { url });
    const dom = (await run('browser_get_dom', { selector: '#go' })) as { html: string };
    expect(dom.html).toBe(`<button id="go" onclick="hit('go')">Sign Up</button>`);
    expect(await run('browser_execute', { script: '(n) => n * 6', arg: 7 })).toMatchObject({
      value: 42,
    });
    expect(await run('browser_scroll', { direction: 'down', amount: 250 })).toEqual({
      scroll_x: 0,
      scroll_y: 250,
    });
    expect(await run('browser_state')).toMatchObject({ title: 'Form', scroll_y: 250 });
    await expect(run('browser_wait', { selector: '#nothing', timeout_ms: 200 })).rejects.toThrow(
      /wait ended unmet/,
    );
  });
});
