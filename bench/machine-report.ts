import { BUDGET_MIB } from './machine-setup.js';
import type { TreeMemory } from './machine-memory.js';
import type { ObserveLatency, Spread } from './machine-timing.js';
import type { MachinesResult } from './machines.js';

type Cell = string | number;

/** The machine section of the printed report: one markdown table per metric. */
export function machineTables(result: Omit<MachinesResult, 'tables'>): string[] {
  return [
    screenshotTable(result),
    inputTable(result),
    provisioningTable(result),
    memoryTable(result),
    stepTable(result),
  ];
}

function screenshotTable({ options, headless, desktop }: Omit<MachinesResult, 'tables'>): string {
  const { width, height } = options.screen;
  const { repetitions, warmup } = options.latency;
  const observeRow = (machine: string, o: ObserveLatency): Cell[] => [
    machine,
    o.requested,
    o.returned.join(', '),
    ...timings(o.latency),
    Math.round(o.bytesP50 / 1024),
    `${o.unsettled}/${o.latency.count}`,
  ];
  return table(
    `### Machines: screenshot latency, machine.observe at ${width}×${height}, ` +
      `${repetitions} after ${warmup} warm-up`,
    ['machine', 'asked', 'returned', 'p50 ms', 'p90 ms', 'max ms', 'size p50 KiB', 'unsettled'],
    [
      ...headless.screenshots.map((o) => observeRow('headless', o)),
      ...desktop.screenshots.map((o) => observeRow('desktop', o)),
      ['desktop, one capture', 'png', 'png', ...timings(desktop.singleCapture), '', ''],
    ],
    [
      '- observe includes the settle check: headless waits for two quiet animation frames,',
      '  desktop captures with `xwd` until two dumps 50 ms apart match (≥ 2 captures + 50 ms).',
      '- desktop, one capture: one `xwd -root` plus the in-process PNG encoding, no settle.',
      '- unsettled: observations whose settle bound (3 s) ran out first.',
    ],
  );
}

function inputTable({ options, headless, desktop }: Omit<MachinesResult, 'tables'>): string {
  const { repetitions, warmup } = options.latency;
  const rows = [
    ['headless', headless.input],
    ['desktop', desktop.input],
  ] as const;
  return table(
    `### Machines: input latency through machine.act, ${repetitions} after ${warmup} warm-up`,
    ['machine', 'action', 'p50 ms', 'p90 ms', 'max ms', 'chars sent / received'],
    rows.flatMap(([machine, input]) => [
      [machine, 'click at a point', ...timings(input.click), ''],
      [
        machine,
        'type 20 ASCII chars',
        ...timings(input.type),
        `${input.typedChars.sent} / ${input.typedChars.received}`,
      ],
    ]),
    [
      '- The point is inside a textarea of a loopback page; the page reports its length back.',
      '- desktop: `xdotool` per action (`click --delay 0`; `type --delay 3` from stdin).',
    ],
  );
}

function provisioningTable({ headless, desktop }: Omit<MachinesResult, 'tables'>): string {
  const once = (ms: number): Cell[] => [1, ms, ms, ms, ms];
  const many = (s: Spread): Cell[] => [s.count, s.p50Ms, s.p90Ms, s.minMs, s.maxMs];
  return table(
    '### Machines: provisioning, driver.start → first observe returned',
    ['machine', 'n', 'p50 ms', 'p90 ms', 'min ms', 'max ms'],
    [
      ['headless, first (launches the shared Chromium)', ...once(headless.provisioning.firstMs)],
      ['headless, further (context + page)', ...many(headless.provisioning.further)],
      ['desktop (Xvfb, openbox, xterm, Chromium)', ...many(desktop.provisioning)],
    ],
    ['- Started one after another; earlier machines keep running, idle, meanwhile.'],
  );
}

function memoryTable({ options, headless, desktop }: Omit<MachinesResult, 'tables'>): string {
  const { oneMachine, allMachines, ...perHeadless } = headless.memory;
  const desktopPss = desktop.memory.machines.map((machine) => machine.pssMib);
  const median = medianMachine(desktop.memory.machines, desktop.memory.perMachineMib);
  return table(
    `### Machines: memory per idle machine (PSS from /proc/PID/smaps_rollup), ` +
      `fit in ${BUDGET_MIB / 1024} GiB`,
    ['machine', 'how measured', 'PSS MiB', 'private MiB', 'shared MiB', 'idle in 24 GiB'],
    [
      [
        'headless',
        `slope of the browser tree: ${oneMachine.pssMib} MiB at 1, ${allMachines.pssMib} MiB ` +
          `at ${allMachines.machines} machines`,
        perHeadless.perMachineMib,
        perHeadless.perMachinePrivateMib,
        perHeadless.sharedMib,
        perHeadless.fitInBudget,
      ],
      [
        'desktop',
        `median of ${desktopPss.length} displays (PSS ${Math.min(...desktopPss)}–` +
          `${Math.max(...desktopPss)} MiB)`,
        desktop.memory.perMachineMib,
        desktop.memory.perMachinePrivateMib,
        0,
        desktop.memory.fitInBudget,
      ],
    ],
    [
      `- Read ${options.idleBeforeMemoryMs} ms after the last start, all machines on about:blank.`,
      '- PSS shares each page among the processes mapping it, Chromium code included, so it',
      '  drops as more Chromiums run on the host; private (USS) pages are no one else’s.',
      '- headless shared MiB: the browser without machines, one machine’s tree − the slope.',
      `- desktop, median machine: ${describeProcesses(median)}.`,
      '- idle in 24 GiB = (24 GiB − shared) ÷ PSS per machine; server, OS and pages are extra.',
    ],
  );
}

function stepTable({ desktop }: Omit<MachinesResult, 'tables'>): string {
  const { steps, fixedWaitMs, driver, scrot, ratio } = desktop.stepOverhead;
  return table(
    `### Machines: desktop step overhead (screenshot + click + settle), same display, ` +
      `${steps} alternating steps each`,
    ['loop', 'step p50 ms', 'step p90 ms', 'screenshot p50 ms', 'click p50 ms', 'settle'],
    [
      [
        'desktop driver: act + observe',
        driver.step.p50Ms,
        driver.step.p90Ms,
        driver.observe.p50Ms,
        driver.act.p50Ms,
        `in observe (${driver.unsettled}/${steps} unsettled)`,
      ],
      [
        `scrot file + xdotool click + ${fixedWaitMs} ms`,
        scrot.step.p50Ms,
        scrot.step.p90Ms,
        scrot.capture.p50Ms,
        scrot.click.p50Ms,
        `fixed ${fixedWaitMs} ms`,
      ],
      ['**scrot ÷ driver**', `**${ratio.p50}×**`, `**${ratio.p90}×**`, '', '', ''],
    ],
    [
      '- driver screenshot = the whole observe: captures until settled, then PNG.',
      '- scrot screenshot: `scrot --overwrite` to a temp file, then reading the file.',
      '- scrot click: `xdotool mousemove X Y click 1` with its default click delay.',
    ],
  );
}

function timings(spread: Spread): Cell[] {
  return [spread.p50Ms, spread.p90Ms, spread.maxMs];
}

function medianMachine(machines: TreeMemory[], pssMib: number): TreeMemory | undefined {
  return machines.find((machine) => machine.pssMib === pssMib);
}

function describeProcesses(memory: TreeMemory | undefined): string {
  if (memory === undefined) {
    return 'none measured';
  }
  const parts = Object.entries(memory.byNameMib)
    .sort(([, a], [, b]) => b - a)
    .map(([name, mib]) => `${name} ${mib}`);
  return `${memory.processes} processes, MiB by name: ${parts.join(', ')}`;
}

/** Columns of numbers are aligned right, any other column left. */
function table(title: string, header: Cell[], rows: Cell[][], notes: string[]): string {
  const numeric = (index: number): boolean =>
    rows.every((cells) => cells[index] === '' || /^[\d.*×]+$/.test(String(cells[index])));
  const align = header.map((_, index) => (numeric(index) ? '---:' : '---'));
  return [title, '', row(header), row(align), ...rows.map(row), '', ...notes].join('\n');
}

function row(cells: Cell[]): string {
  return `| ${cells.join(' | ')} |`;
}
