import { abortableDelay } from '../browser/abort.js';
import { performDesktopAction } from './desktop-actions.js';
import { encodeJpeg } from './jpeg.js';
import { describeDesktopPage } from './desktop-page-view.js';
import { runToolOrThrow } from './run-tool.js';
import { decodeXwd, encodePng } from './xwd-png.js';
import type { AgentAction } from '../../contracts/actions.js';
import type {
  ActionOutcome,
  CallOptions,
  Machine,
  Observation,
  ObserveOptions,
} from '../driver.js';
import type { BrowserHost } from '../browser-commands/index.js';
import type { WindowHost } from '../windows/index.js';
import type { DesktopSession } from './desktop-session.js';

/** Pause between two captures of the settle check; one frame at 20 fps. */
const SETTLE_INTERVAL_MS = 50;
const CAPTURE_TIMEOUT_MS = 10_000;

/** The run engine's handle on one desktop machine; it holds no state of its own. */
export function createDesktopMachine(session: DesktopSession, settleTimeoutMs: number): Machine {
  const windows = windowHost(session);
  return {
    id: session.spec.id,
    observe: (options) => observe(session, windows, settleTimeoutMs, options),
    act: (action, options) => act(session, action, options),
    windows,
    browser: browserHost(session),
  };
}

/** The desktop's browser across restarts: browser_open starts it again once it was closed. */
function browserHost(session: DesktopSession): BrowserHost {
  const current = (): BrowserHost => {
    const browser = session.browser;
    if (browser === undefined) {
      throw new Error('the browser was closed; browser_open starts it again');
    }
    return browser.host;
  };
  return {
    get context() {
      return current().context;
    },
    get navigationTimeoutMs() {
      return current().navigationTimeoutMs;
    },
    currentPage: () => current().currentPage(),
    select: (page) => current().select(page),
    viewportOrigin: (page) => current().viewportOrigin(page),
    reopen: async () => {
      await session.openBrowser();
    },
  };
}

const WINDOW_TOOL_TIMEOUT_MS = 5_000;

/** wmctrl, xdotool and friends on the machine's display, with its environment alone. */
function windowHost(session: DesktopSession): WindowHost {
  return {
    screen: { width: session.spec.screenWidth, height: session.spec.screenHeight },
    run: async (tool, args, signal) => {
      const options = { env: session.env, signal, timeoutMs: WINDOW_TOOL_TIMEOUT_MS };
      return (await runToolOrThrow(tool, args, options)).toString('utf8');
    },
  };
}

/**
 * Captures the screen until two captures in a row are identical (settled) or the bound runs
 * out (not settled, and the last capture is returned). Raw dumps are compared, so only the
 * final one is encoded as PNG.
 */
async function observe(
  session: DesktopSession,
  windows: WindowHost,
  settleTimeoutMs: number,
  { signal, format = 'png', screenOnly = false }: ObserveOptions,
): Promise<Observation> {
  const deadline = Date.now() + settleTimeoutMs;
  let previous = await capture(session, signal);
  let settled = false;

  while (Date.now() < deadline) {
    await abortableDelay(SETTLE_INTERVAL_MS, signal);
    const current = await capture(session, signal);
    settled = current.equals(previous);
    previous = current;
    if (settled) {
      break;
    }
  }

  const image = decodeXwd(previous);
  const data = format === 'jpeg' ? encodeJpeg(image) : await encodePng(image);
  signal.throwIfAborted();
  const screenshot = { format, data, width: image.width, height: image.height };
  // Read right after the capture, so the boxes describe the screen the screenshot shows.
  const view =
    screenOnly || session.browser === undefined
      ? undefined
      : await describeDesktopPage(session.browser, windows, signal).catch(() => undefined);
  return { screenshot, surface: 'desktop', settled, ...view };
}

const CAPTURE_ATTEMPTS = 3;

/**
 * One screen dump. `xwd -root` looks at every window and fails with BadWindow when one closes
 * meanwhile (Chromium opens and closes windows as it starts), so a failed dump is retried.
 */
async function capture(session: DesktopSession, signal: AbortSignal): Promise<Buffer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await captureOnce(session, signal);
    } catch (error) {
      if (signal.aborted || attempt >= CAPTURE_ATTEMPTS) {
        throw error;
      }
    }
  }
}

function captureOnce(session: DesktopSession, signal: AbortSignal): Promise<Buffer> {
  const args = ['-root', '-silent', '-display', `:${session.displayNumber}`];
  return runToolOrThrow('xwd', args, {
    env: session.env,
    signal,
    timeoutMs: CAPTURE_TIMEOUT_MS,
  }).catch((error: unknown) => {
    if (signal.aborted) {
      throw signal.reason;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not capture the screen of machine ${session.spec.id}: ${reason}`, {
      cause: error,
    });
  });
}

async function act(
  session: DesktopSession,
  action: AgentAction,
  { signal }: CallOptions,
): Promise<ActionOutcome> {
  signal.throwIfAborted();
  const screen = { width: session.spec.screenWidth, height: session.spec.screenHeight };

  try {
    return await performDesktopAction(action, { env: session.env, screen, signal });
  } catch (error) {
    // An abort is the run's decision, not the desktop's failure: it travels on as a rejection.
    if (signal.aborted) {
      throw signal.reason;
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `The desktop could not perform the ${action.type}: ${reason}` };
  }
}
