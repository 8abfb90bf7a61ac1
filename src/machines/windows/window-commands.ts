import { z } from 'zod';

import type { ActionCommand } from '../../contracts/index.js';
import { listWindows, normalizeId, windowById } from './window-list.js';
import type { WindowHost, WindowInfo } from './window-host.js';

/** One window command: its parameters and what it does on the desktop. */
export interface WindowCommand {
  parameters: z.ZodType;
  run(host: WindowHost, parameters: any, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** A window command that could not be done, in words a caller can act on. */
export class WindowCommandFailure extends Error {}

const MAXIMIZED = 'maximized_vert,maximized_horz';

/** How long the window manager gets to show a change before the command reports it unmet. */
const settleTimeoutMs = 5_000;

const target = {
  /** The X window id from list_windows, hex (`0x0040000c`) or decimal. */
  window_id: z
    .string()
    .regex(/^(0x[0-9a-fA-F]{1,8}|\d{1,10})$/, 'a window id such as 0x0040000c')
    .optional(),
  /** Part of the window's title, any case; an exact title wins over a partial one. */
  title: z.string().min(1).max(500).optional(),
};
const targeted = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object({ ...target, ...shape })
    .refine((p: any) => p.window_id !== undefined || p.title !== undefined, {
      message: 'name the window: window_id or title',
    });

/** The window commands of a desktop, through wmctrl and xdotool. */
const commands: Partial<Record<ActionCommand, WindowCommand>> = {
  list_windows: {
    parameters: z.object({}),
    run: async (host, _p, signal) => ({ windows: await listWindows(host, signal) }),
  },
  switch_to_window: changing(['-a'], (window) => window.active && !window.minimized),
  close_window: {
    parameters: targeted({}),
    run: async (host, p, signal) => {
      const window = await find(host, p, signal);
      await host.run('wmctrl', ['-i', '-c', window.window_id], signal);
      await settle(host, window.window_id, signal, (after) => after === undefined);
      return { window_id: window.window_id, closed: true };
    },
  },
  minimize_window: {
    parameters: targeted({}),
    run: async (host, p, signal) => {
      const window = await find(host, p, signal);
      await host.run('xdotool', ['windowminimize', window.window_id], signal);
      return { window: await settle(host, window.window_id, signal, (w) => !!w?.minimized) };
    },
  },
  maximize_window: changing(['-b', `add,${MAXIMIZED}`], (w) => w.maximized),
  restore_window: {
    parameters: targeted({}),
    run: async (host, p, signal) => {
      const window = await find(host, p, signal);
      const id = window.window_id;
      // Only what is set is undone: openbox moves a window told to unmaximise when it is not.
      if (window.maximized) {
        await host.run('wmctrl', ['-i', '-r', id, '-b', `remove,${MAXIMIZED}`], signal);
      }
      // Activating a minimised window maps it again, as clicking it in a task bar would.
      await host.run('wmctrl', ['-i', '-a', id], signal);
      const restored = (w?: WindowInfo) => !!w && !w.minimized && !w.maximized;
      return { window: await settle(host, id, signal, restored) };
    },
  },
  move_window: {
    parameters: targeted({
      x: z.number().int().min(0).max(100_000),
      y: z.number().int().min(0).max(100_000),
      width: z.number().int().min(50).max(100_000).optional(),
      height: z.number().int().min(50).max(100_000).optional(),
    }),
    run: async (host, p, signal) => {
      const { width, height } = host.screen;
      if (p.x >= width || p.y >= height) {
        throw new WindowCommandFailure(
          `(${p.x}, ${p.y}) is outside the ${width}×${height} screen; nothing was moved.`,
        );
      }
      const window = await find(host, p, signal);
      await place(host, window.window_id, p, signal);
      const moved = (w?: WindowInfo) => w?.x === p.x && w?.y === p.y;
      return { window: await settle(host, window.window_id, signal, moved) };
    },
  },
  arrange_windows: {
    parameters: z.object({ layout: z.enum(['grid', 'cascade']).default('grid') }),
    run: arrange,
  },
};

export function windowCommand(command: ActionCommand): WindowCommand | undefined {
  return commands[command];
}

export function windowCommandNames(): ActionCommand[] {
  return Object.keys(commands) as ActionCommand[];
}

/** A command that is one wmctrl call on the window, then a wait until `done` shows. */
function changing(args: string[], done: (window: WindowInfo) => boolean): WindowCommand {
  return {
    parameters: targeted({}),
    run: async (host, p, signal) => {
      const window = await find(host, p, signal);
      await host.run('wmctrl', ['-i', ...argsFor(args, window.window_id)], signal);
      return { window: await settle(host, window.window_id, signal, (w) => !!w && done(w)) };
    },
  };
}

// `-a` takes the window itself; `-b` acts on the window named by `-r`.
function argsFor(args: string[], id: string): string[] {
  return args[0] === '-a' ? ['-a', id] : ['-r', id, ...args];
}

async function find(host: WindowHost, p: any, signal: AbortSignal): Promise<WindowInfo> {
  const windows = await listWindows(host, signal);
  if (p.window_id !== undefined) {
    const id = normalizeId(p.window_id);
    const window = windows.find((candidate) => candidate.window_id === id);
    if (window === undefined) {
      throw new WindowCommandFailure(`No window ${id}; list_windows shows the open ones.`);
    }
    return window;
  }

  const wanted = String(p.title).toLowerCase();
  const window =
    windows.find((candidate) => candidate.title.toLowerCase() === wanted) ??
    windows.find((candidate) => candidate.title.toLowerCase().includes(wanted));
  if (window === undefined) {
    const titles = windows.map((candidate) => JSON.stringify(candidate.title)).join(', ');
    throw new WindowCommandFailure(`No window's title holds "${p.title}"; open: ${titles}.`);
  }
  return window;
}

/** Moves (and sizes) a window, out of the maximised state first: a maximised one stays put. */
async function place(
  host: WindowHost,
  id: string,
  box: { x: number; y: number; width?: number; height?: number },
  signal: AbortSignal,
): Promise<void> {
  await host.run('wmctrl', ['-i', '-r', id, '-b', `remove,${MAXIMIZED}`], signal);
  const geometry = `0,${box.x},${box.y},${box.width ?? -1},${box.height ?? -1}`;
  await host.run('wmctrl', ['-i', '-r', id, '-e', geometry], signal);
}

/**
 * Polls the window until `done` holds and its geometry stopped changing: the window manager
 * applies changes a little later, and openbox animates a window back from its icon.
 */
async function settle(
  host: WindowHost,
  id: string,
  signal: AbortSignal,
  done: (window: WindowInfo | undefined) => boolean,
): Promise<WindowInfo | undefined> {
  const deadline = Date.now() + settleTimeoutMs;
  let previous: string | undefined;
  for (;;) {
    const window = await windowById(host, id, signal);
    const geometry = JSON.stringify([window?.x, window?.y, window?.width, window?.height]);
    if (done(window) && (window === undefined || geometry === previous)) {
      return window;
    }
    previous = geometry;
    if (Date.now() >= deadline) {
      throw new WindowCommandFailure(
        `The window manager did not apply it to window ${id} within ${settleTimeoutMs} ms.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Tiles the windows that are not minimised in a grid, or cascades them from the corner. */
async function arrange(host: WindowHost, p: { layout: 'grid' | 'cascade' }, signal: AbortSignal) {
  const windows = (await listWindows(host, signal)).filter((window) => !window.minimized);
  const { width, height } = host.screen;
  const columns = Math.ceil(Math.sqrt(windows.length));
  const rows = Math.ceil(windows.length / Math.max(1, columns));
  const cell = { width: Math.floor(width / columns), height: Math.floor(height / rows) };
  const cascade = { width: Math.floor(width * 0.6), height: Math.floor(height * 0.6) };

  for (const [index, window] of windows.entries()) {
    const frame =
      p.layout === 'grid'
        ? {
            x: (index % columns) * cell.width,
            y: Math.floor(index / columns) * cell.height,
            ...cell,
          }
        : { x: index * 40, y: index * 40, ...cascade };
    // wmctrl sizes the client area: the title bar and borders come off the tile.
    const box = {
      ...frame,
      width: Math.max(50, frame.width - (window.outer_width - window.width)),
      height: Math.max(50, frame.height - (window.outer_height - window.height)),
    };
    await place(host, window.window_id, box, signal);
    await settle(host, window.window_id, signal, (w) => w?.x === box.x && w?.y === box.y);
  }
  return { layout: p.layout, windows: await listWindows(host, signal) };
}
