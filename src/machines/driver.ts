import type { AgentAction } from '../contracts/actions.js';
import type { BrowserHost } from './browser-commands/index.js';
import type { WindowHost } from './windows/index.js';

/** Something on the screen a person could point at, with its box in screen pixels. */
export interface ScreenElement {
  /** The accessibility role, such as `link`, `button` or `textbox`. */
  role: string;
  /** The accessible name: the visible text or label a person would call it by. */
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a machine shows after an action: the screen and, where it has them, richer views. */
export interface Observation {
  screenshot: {
    format: 'png' | 'jpeg';
    data: Buffer;
    width: number;
    height: number;
  };
  /** What the screen shows: a whole desktop, or a browser page alone. */
  surface?: 'desktop' | 'browser';
  /** The page URL when the screen is, or shows, a browser. */
  url?: string;
  /** An indented text outline of the accessibility tree, where the machine offers one. */
  accessibilityTree?: string;
  /** The visible, interactive elements with their boxes, where the machine can tell them. */
  elements?: ScreenElement[];
  /** The visible text of a terminal, where the machine offers one. */
  terminalText?: string;
  /** False when the screen kept changing until the settle bound ran out. */
  settled: boolean;
}

export interface ActionOutcome {
  ok: boolean;
  /** Why the action failed, in words a model or a person can act on. */
  error?: string;
}

export interface CallOptions {
  /** Aborted when the run is cancelled or its deadline passes; no input is sent after. */
  signal: AbortSignal;
}

export interface ObserveOptions extends CallOptions {
  /** The screenshot's encoding; PNG unless asked. A driver may answer PNG regardless. */
  format?: 'png' | 'jpeg';
  /** Only the screenshot: skip the accessibility tree and elements. Default false. */
  screenOnly?: boolean;
}

/** A running machine as the run engine sees it: a screen to look at and hands to act with. */
export interface Machine {
  readonly id: string;
  observe(options: ObserveOptions): Promise<Observation>;
  act(action: AgentAction, options: CallOptions): Promise<ActionOutcome>;
  /** The machine's browser for DOM-level commands, where the driver controls one. */
  readonly browser?: BrowserHost;
  /** The machine's windows, where it has a desktop. */
  readonly windows?: WindowHost;
}

export interface MachineSpec {
  id: string;
  desktopEnabled: boolean;
  screenWidth: number;
  screenHeight: number;
  /** The password of the machine's VNC server; a desktop without one offers no VNC. */
  vncPassword?: string;
}

/** Brings machines up and down on one kind of infrastructure. */
export interface MachineDriver {
  readonly name: string;
  /** Starts the machine's sandbox; starting one that runs already does nothing. */
  start(spec: MachineSpec): Promise<void>;
  /** Stops the machine's processes and removes what it left on this host. */
  destroy(machineId: string): Promise<void>;
  /** The handle the run engine drives; the machine must have been started. */
  open(machineId: string): Promise<Machine>;
  /**
   * Where the machine's browser keeps its profile on this host, for snapshots and restores;
   * undefined when its browser keeps nothing on disk.
   */
  profileDirOf?(machineId: string): string | undefined;
  /** The loopback port of the started machine's VNC server; undefined when it has none. */
  vncPortOf?(machineId: string): number | undefined;
  /** Releases everything the driver holds, at server shutdown. */
  close(): Promise<void>;
}
