import type { WindowHost, WindowInfo } from './window-host.js';

// wmctrl -l -p: id, desktop, pid, client machine, then the title to the end. (With -x the
// class would come too, but Chromium's holds spaces, so it is read from xprop instead.)
const LIST_LINE = /^(0x[0-9a-f]+)\s+(-?\d+)\s+(\d+)\s+(\S+)\s?(.*)$/i;

/** The desktop's managed top-level windows, in the order the window manager lists them. */
export async function listWindows(host: WindowHost, signal: AbortSignal): Promise<WindowInfo[]> {
  const listing = await host.run('wmctrl', ['-l', '-p'], signal);
  const active = await activeWindow(host, signal);
  const rows = listing
    .split('\n')
    .map((line) => LIST_LINE.exec(line))
    .filter((match) => match !== null);

  const windows = await Promise.all(
    rows.map(async (match) => {
      const id = normalizeId(match[1]!);
      const pid = Number(match[3]);
      // A window closed between the listing and this read is no longer there to report.
      const details = await geometryAndState(host, id, signal).catch((error: unknown) => {
        signal.throwIfAborted();
        return windowGone(error);
      });
      if (details === undefined) {
        return undefined;
      }
      return {
        window_id: id,
        title: match[5]!.trim(),
        pid: pid > 0 ? pid : null,
        ...details,
        active: id === active,
      };
    }),
  );
  return windows.filter((window) => window !== undefined);
}

/** Swallows the failure of reading a window that closed meanwhile; anything else rethrows. */
function windowGone(error: unknown): undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (/^(xprop|xwininfo) -id exited/.test(message)) {
    return undefined;
  }
  throw error;
}

/** Window ids from the bottom of the stack to the top, as the window manager stacks them. */
export async function stackingOrder(host: WindowHost, signal: AbortSignal): Promise<string[]> {
  const output = await host.run('xprop', ['-root', '_NET_CLIENT_LIST_STACKING'], signal);
  return (output.match(/0x[0-9a-f]+/gi) ?? []).map(normalizeId);
}

/** One window, looked up afresh. */
export async function windowById(
  host: WindowHost,
  windowId: string,
  signal: AbortSignal,
): Promise<WindowInfo | undefined> {
  return (await listWindows(host, signal)).find((window) => window.window_id === windowId);
}

/** `0x40000c`, `0x0040000c` and `4194316` all become `0x0040000c`. */
export function normalizeId(id: string): string {
  const value = id.startsWith('0x') || id.startsWith('0X') ? parseInt(id, 16) : Number(id);
  return `0x${value.toString(16).padStart(8, '0')}`;
}

async function activeWindow(host: WindowHost, signal: AbortSignal): Promise<string | undefined> {
  const output = await host.run('xprop', ['-root', '_NET_ACTIVE_WINDOW'], signal);
  const id = /window id # (0x[0-9a-f]+)/i.exec(output)?.[1];
  return id === undefined || parseInt(id, 16) === 0 ? undefined : normalizeId(id);
}

async function geometryAndState(host: WindowHost, id: string, signal: AbortSignal) {
  // wmctrl -G double-counts the frame under openbox; xwininfo's absolute corner is exact.
  const [info, props] = await Promise.all([
    host.run('xwininfo', ['-id', id], signal),
    host.run('xprop', ['-id', id, 'WM_CLASS', '_NET_FRAME_EXTENTS', '_NET_WM_STATE'], signal),
  ]);
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(-?\\d+)`).exec(info)?.[1] ?? 0);
  const extents = /_NET_FRAME_EXTENTS\(CARDINAL\) = (\d+), (\d+), (\d+), (\d+)/.exec(props);
  const [left, right, top, bottom] = [1, 2, 3, 4].map((group) => Number(extents?.[group] ?? 0));
  const state = /_NET_WM_STATE\(ATOM\) =(.*)/.exec(props)?.[1] ?? '';

  // WM_CLASS(STRING) = "instance", "Class": the class names the application.
  const names = /WM_CLASS\(STRING\) = (.*)/.exec(props)?.[1]?.match(/"((?:[^"\\]|\\.)*)"/g) ?? [];
  return {
    class: (names.at(-1) ?? '""').slice(1, -1),
    x: field('Absolute upper-left X') - left!,
    y: field('Absolute upper-left Y') - top!,
    width: field('Width'),
    height: field('Height'),
    outer_width: field('Width') + left! + right!,
    outer_height: field('Height') + top! + bottom!,
    minimized: state.includes('_NET_WM_STATE_HIDDEN'),
    maximized:
      state.includes('_NET_WM_STATE_MAXIMIZED_VERT') &&
      state.includes('_NET_WM_STATE_MAXIMIZED_HORZ'),
  };
}
