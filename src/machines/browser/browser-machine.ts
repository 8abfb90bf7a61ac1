import { describePage } from '../browser-commands/index.js';
import { raceAbort } from './abort.js';
import { describePlaywrightError, performAction } from './browser-actions.js';
import { waitForSettledScreen } from './settle.js';
import type { AgentAction } from '../../contracts/actions.js';
import type {
  ActionOutcome,
  CallOptions,
  Machine,
  Observation,
  ObserveOptions,
} from '../driver.js';
import type { BrowserHost } from '../browser-commands/index.js';
import type { BrowserSession } from './browser-session.js';

/** Timings a machine works with; the driver fills them from its options. */
export interface BrowserMachineSettings {
  settleTimeoutMs: number;
  navigationTimeoutMs: number;
  screenshotTimeoutMs: number;
}

/** Longest wait for the accessibility tree and elements; without them the screenshot remains. */
const PAGE_VIEW_TIMEOUT_MS = 2_000;

/**
 * The run engine's handle on one browser machine. It holds no state of its own, so any
 * number of handles for one session may exist at once.
 */
export function createBrowserMachine(
  session: BrowserSession,
  settings: BrowserMachineSettings,
): Machine {
  return {
    id: session.spec.id,
    observe: (options) => observe(session, settings, options),
    act: (action, options) => act(session, settings, action, options),
    browser: browserHost(session, settings),
  };
}

/** The page is the screen, so page pixels are screen pixels. */
function browserHost(session: BrowserSession, settings: BrowserMachineSettings): BrowserHost {
  return {
    context: session.context,
    currentPage: () => session.currentPage(),
    select: (page) => session.select(page),
    viewportOrigin: async () => ({ x: 0, y: 0 }),
    navigationTimeoutMs: settings.navigationTimeoutMs,
  };
}

async function observe(
  session: BrowserSession,
  settings: BrowserMachineSettings,
  { signal, format = 'png', screenOnly = false }: ObserveOptions,
): Promise<Observation> {
  signal.throwIfAborted();
  const page = await raceAbort(session.currentPage(), signal);

  const settled = await raceAbort(waitForSettledScreen(page, settings.settleTimeoutMs), signal);

  signal.throwIfAborted();
  // The text caret stays visible: it is how a model sees which field has the focus.
  const capture = page.screenshot({
    type: format,
    ...(format === 'jpeg' ? { quality: 80 } : {}),
    caret: 'initial',
    timeout: settings.screenshotTimeoutMs,
  });
  const data = await raceAbort(capture, signal).catch((error: unknown) => {
    if (signal.aborted) {
      throw signal.reason;
    }
    const reason = describePlaywrightError(error);
    throw new Error(`Could not capture the screen of machine ${session.spec.id}: ${reason}`, {
      cause: error,
    });
  });

  const { screenWidth: width, screenHeight: height } = session.spec;
  const screenshot = { format, data, width, height };
  // Read right after the capture, so the boxes describe the screen the screenshot shows.
  const view = screenOnly
    ? undefined
    : await raceAbort(describePage(page, { x: 0, y: 0 }, PAGE_VIEW_TIMEOUT_MS), signal);
  return { screenshot, surface: 'browser', url: page.url(), settled, ...view };
}

async function act(
  session: BrowserSession,
  settings: BrowserMachineSettings,
  action: AgentAction,
  { signal }: CallOptions,
): Promise<ActionOutcome> {
  signal.throwIfAborted();

  try {
    const page = await session.currentPage();
    const context = {
      page,
      screen: { width: session.spec.screenWidth, height: session.spec.screenHeight },
      signal,
      navigationTimeoutMs: settings.navigationTimeoutMs,
    };
    return await raceAbort(performAction(action, context), signal);
  } catch (error) {
    // An abort is the run's decision, not the page's failure: it travels on as a rejection.
    if (signal.aborted) {
      throw signal.reason;
    }
    const reason = describePlaywrightError(error);
    return { ok: false, error: `The browser could not perform the ${action.type}: ${reason}` };
  }
}
