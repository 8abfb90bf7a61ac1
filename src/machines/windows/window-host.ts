/** The X tools window commands use; each is run with an argument list, never a shell. */
export type WindowTool = 'wmctrl' | 'xdotool' | 'xprop' | 'xwininfo';

/** A desktop's windows as window commands reach them. */
export interface WindowHost {
  /** Runs the tool on the machine's display; rejects with its complaint unless it exits 0. */
  run(tool: WindowTool, args: string[], signal: AbortSignal): Promise<string>;
  readonly screen: { width: number; height: number };
}

/** One top-level window as list_windows reports it. */
export interface WindowInfo {
  /** The X window id in hex, as wmctrl and xdotool print it. */
  window_id: string;
  title: string;
  /** The application's window class (WM_CLASS), such as `XTerm` or `Chromium-browser`. */
  class: string;
  pid: number | null;
  /** The outer frame's top-left corner on the screen: where move_window puts it. */
  x: number;
  y: number;
  /** The client area's size (without the title bar and borders): what move_window sets. */
  width: number;
  height: number;
  /** The outer frame's size, title bar and borders included: what the window covers. */
  outer_width: number;
  outer_height: number;
  minimized: boolean;
  maximized: boolean;
  active: boolean;
}
