/**
 * Text into a desktop: printable ASCII through `xdotool type`, everything else by clipboard
 * paste, line breaks as Return; and navigation through Chromium's address bar.
 */
import { pasteText } from './clipboard.js';
import { runToolOrThrow } from './run-tool.js';
import { xdotool } from './xdotool.js';
import type { ActionOutcome } from '../driver.js';
import type { DesktopActionContext } from './xdotool.js';

/** Delay between keystrokes; at 0 xdotool has been seen to drop keys under load. */
const TYPE_DELAY_MS = '3';
/** Characters per xdotool call, so an abort stops typing between chunks. */
const TYPE_CHUNK_LENGTH = 200;
// Tab is typed as the Tab key, like Playwright's keyboard.type does.
const TYPABLE = /^[\t\x20-\x7e]+$/;

/**
 * Types `text` into the focused window. Resolves only when every xdotool call exited with
 * status 0 and every paste was verified on the clipboard and served to a window; anything
 * less throws, so a type action never reports text that did not leave.
 */
export async function typeText(text: string, context: DesktopActionContext): Promise<void> {
  for (const [index, line] of text.split(/\r\n|\r|\n/).entries()) {
    if (index > 0) {
      context.signal.throwIfAborted();
      await xdotool(context, ['key', '--clearmodifiers', 'Return']);
    }
    for (const run of splitRuns(line)) {
      context.signal.throwIfAborted();
      await (TYPABLE.test(run)
        ? typeAscii(run, context)
        : pasteText(run, context.env, context.signal));
    }
  }
}

/** Alternating runs of typable ASCII and of everything else, in order. */
function splitRuns(line: string): string[] {
  return line.match(/[\t\x20-\x7e]+|[^\t\x20-\x7e]+/g) ?? [];
}

async function typeAscii(run: string, context: DesktopActionContext): Promise<void> {
  for (let start = 0; start < run.length; start += TYPE_CHUNK_LENGTH) {
    context.signal.throwIfAborted();
    // From stdin, so text such as "--help" is never read as an xdotool option.
    await xdotool(
      context,
      ['type', '--delay', TYPE_DELAY_MS, '--file', '-'],
      run.slice(start, start + TYPE_CHUNK_LENGTH),
    );
  }
}

/**
 * Opens `url` the way a person would: focus Chromium, select the address bar, type, Return.
 * Chosen over the remote debugging port, which any process on the host (including another
 * machine's terminal) could use to drive this browser.
 */
export async function navigate(url: string, context: DesktopActionContext): Promise<ActionOutcome> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined) {
    return { ok: false, error: `"${url}" is not a valid URL.` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return {
      ok: false,
      error: `Only http and https URLs can be opened, not ${parsed.protocol} URLs.`,
    };
  }

  const window = await findChromiumWindow(context);
  if (window === undefined) {
    // LIMITATION: a Chromium the agent closed is not started again; restarting the machine is.
    return { ok: false, error: 'No Chromium window is open on this desktop to navigate in.' };
  }

  await xdotool(context, ['windowactivate', '--sync', window, 'key', '--clearmodifiers', 'ctrl+l']);
  // href is ASCII (punycode host, percent-encoded path), so xdotool types it exactly.
  await typeAscii(parsed.href, context);
  // Delete drops an inline autocompletion the address bar may have appended to what was typed.
  await xdotool(context, ['key', '--clearmodifiers', 'Delete', 'Return']);
  return { ok: true };
}

async function findChromiumWindow(context: DesktopActionContext): Promise<string | undefined> {
  const output = await runToolOrThrow(
    'xdotool',
    ['search', '--onlyvisible', '--class', 'chromium'],
    {
      env: context.env,
      signal: context.signal,
      // Generous: on a loaded host the X round trips of a search take seconds.
      timeoutMs: 15_000,
    },
  ).catch(() => Buffer.alloc(0));
  return output.toString().trim().split('\n').filter(Boolean).at(-1);
}
