/** The applications a task may name, by the names people use for them. */
export type AppName = 'browser' | 'terminal' | 'editor' | 'calculator';

/** One imperative step of a task. */
export type PlanStep =
  | { kind: 'open'; app: AppName }
  | { kind: 'navigate'; url: string }
  | { kind: 'click'; target: string; roles: string[] }
  | { kind: 'type'; text?: string; valueName?: string; into?: string }
  | { kind: 'key'; keys: string }
  | { kind: 'scroll'; direction: 'up' | 'down' }
  | { kind: 'wait'; ms: number }
  | { kind: 'check'; text: string }
  | { kind: 'unknown'; text: string };

const appNames: Array<[RegExp, AppName]> = [
  [/^(?:the )?(?:web )?(?:browser|chrome|google chrome|chromium|firefox)$/, 'browser'],
  [/^(?:the |a )?(?:terminal|xterm|shell|console|command line)(?: window)?$/, 'terminal'],
  [/^(?:the |a )?(?:text )?(?:editor|mousepad|notepad)$/, 'editor'],
  [/^(?:the )?(?:calculator|galculator)$/, 'calculator'],
];

const roleWords: Record<string, string[]> = {
  link: ['link'],
  button: ['button'],
  tab: ['tab'],
  checkbox: ['checkbox'],
  field: ['textbox', 'searchbox', 'combobox'],
  box: ['textbox', 'searchbox', 'combobox'],
  menu: ['menuitem', 'menu'],
  'menu item': ['menuitem'],
};

const keyNames = new RegExp(
  '^(?:(?:ctrl|control|alt|shift|super|meta)\\s*\\+\\s*)*' +
    '(?:enter|return|tab|escape|esc|space|backspace|delete|up|down|left|right|home|end|' +
    'page ?up|page ?down|f\\d{1,2}|[a-z0-9])$',
  'i',
);

// A URL with a scheme, or a host name with a dot (and maybe a port and path); either without
// the punctuation that ends a sentence.
const urlPattern = new RegExp(
  '\\b(?:https?://[^\\s"\'<>]+[^\\s"\'<>.,;)]|' +
    '(?:[a-z0-9-]+\\.)+[a-z]{2,}(?::\\d+)?(?:/[^\\s"\'<>]*[^\\s"\'<>.,;)])?)',
  'gi',
);

const stepVerbs =
  'open|go|navigate|click|type|enter|press|scroll|wait|check|verify|visit|launch|start|' +
  'focus|tap|hit|fill|write';
const andBeforeVerb = new RegExp(`\\s+and\\s+(?=(?:${stepVerbs})\\b)`, 'i');
const checkVerb = new RegExp(
  '^(?:check|check that|verify|verify that|make sure|make sure that|ensure|ensure that|' +
    'confirm|confirm that|see|see that)$',
);

/**
 * Turns a plain imperative task into steps: "Open Chrome, navigate to <url>, click the Sign Up
 * link, and type your email". Quoted text and URLs are kept whole while the task is split.
 */
export function planTask(task: string): PlanStep[] {
  const kept: string[] = [];
  const keep = (text: string) => `\u0000${kept.push(text) - 1}\u0000`;
  const masked = task
    .replace(/"([^"]*)"|“([^”]*)”|'([^']+)'(?=[\s,.;]|$)/g, (whole) => keep(whole))
    .replace(urlPattern, (url) => keep(url));
  const clauses = masked
    .split(/\s*(?:[.;!](?:\s+|$)|,\s*(?:and\s+then|and|then)?\s*|\s+and\s+then\s+|\s+then\s+)/i)
    .flatMap((clause) => clause.split(andBeforeVerb));
  return clauses
    .map((clause) =>
      clause.replace(/\u0000(\d+)\u0000/g, (_, index: string) => kept[Number(index)]!),
    )
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '' && !/^(?:and|then|please)$/i.test(clause))
    .map(parseClause);
}

function parseClause(clause: string): PlanStep {
  const text = clause.replace(/^(?:please|now|finally|first|next|also)\s+/i, '').trim();
  const [, verb = '', restRaw = ''] =
    /^(\S+(?:\s+(?:to|in|on|into|for|that|up))?)\s*(.*)$/i.exec(text) ?? [];
  const rest = restRaw.trim();
  const lowerVerb = verb.toLowerCase();

  if (/^(?:open|launch|start|focus|switch to|go to|bring up|use)$/.test(lowerVerb)) {
    const app = appOf(rest);
    if (app) {
      return { kind: 'open', app };
    }
  }
  if (/^(?:navigate to|navigate|go to|visit|browse to|open|load|go)$/.test(lowerVerb)) {
    const url = firstUrl(rest);
    if (url) {
      return { kind: 'navigate', url };
    }
  }
  if (/^(?:press|hit)$/.test(lowerVerb) && keyNames.test(stripKeyWords(rest))) {
    return { kind: 'key', keys: keyCombo(stripKeyWords(rest)) };
  }
  if (/^(?:click|click on|press|tap|tap on|select|hit|choose|follow)$/.test(lowerVerb)) {
    return clickStep(rest);
  }
  if (/^(?:type|type in|enter|write|input|fill in|fill|put|put in)$/.test(lowerVerb)) {
    return typeStep(rest);
  }
  if (/^scroll/.test(lowerVerb)) {
    return { kind: 'scroll', direction: /\bup\b/i.test(text) ? 'up' : 'down' };
  }
  if (/^wait/.test(lowerVerb)) {
    const seconds = /(\d+(?:\.\d+)?)\s*(?:s|sec|second|seconds)\b/i.exec(rest);
    if (seconds) {
      return { kind: 'wait', ms: Math.min(60_000, Math.round(Number(seconds[1]) * 1000)) };
    }
    const forText = /^(?:for|until)\s+(.+?)(?:\s+(?:to appear|appears|is visible|shows))?$/i.exec(
      rest,
    );
    return forText ? { kind: 'check', text: unquote(forText[1]!) } : { kind: 'wait', ms: 1000 };
  }
  if (checkVerb.test(lowerVerb)) {
    const subject = rest.replace(/^that\s+/i, '');
    const match =
      /^(.+?)\s+(?:is|are)?\s*(?:visible|shown|displayed|on (?:the )?screen|appears)$/i.exec(
        subject,
      );
    return { kind: 'check', text: unquote(match ? match[1]! : subject) };
  }
  return { kind: 'unknown', text: clause };
}

function clickStep(rest: string): PlanStep {
  let target = rest.replace(/^(?:on\s+)?(?:the\s+|a\s+|an\s+)?/i, '');
  let roles: string[] = [];
  const roleMatch = /\s+(link|button|tab|checkbox|field|box|menu item|menu)$/i.exec(target);
  if (roleMatch && !/^["“']/.test(roleMatch[1]!)) {
    roles = roleWords[roleMatch[1]!.toLowerCase()] ?? [];
    target = target.slice(0, roleMatch.index);
  }
  return { kind: 'click', target: unquote(target), roles };
}

function typeStep(rest: string): PlanStep {
  const body = rest;
  const [, value = body, into] =
    /^(.+?)\s+(?:in|into|in the|into the)\s+(.+?)(?:\s+(?:field|box|input))?$/i.exec(body) ?? [];
  const quoted = /^["“'](.*)["”']$/.exec(value.trim());
  const target = into ? unquote(into.replace(/^the\s+/i, '')) : undefined;
  if (quoted) {
    return { kind: 'type', text: quoted[1]!, into: target };
  }
  if (/\{\{\s*\w+\s*\}\}/.test(value)) {
    return { kind: 'type', text: value.trim(), into: target };
  }
  const named = /^(?:your|my|the|our|an?)\s+(.+)$/i.exec(value.trim());
  return { kind: 'type', valueName: (named ? named[1]! : value).trim(), into: target };
}

function appOf(text: string): AppName | undefined {
  const name = text
    .toLowerCase()
    .replace(/\s+(?:app|application|window)$/, '')
    .trim();
  return appNames.find(([pattern]) => pattern.test(name))?.[1];
}

function firstUrl(text: string): string | undefined {
  const match = text.match(urlPattern)?.[0];
  if (!match) {
    return undefined;
  }
  return /^https?:\/\//i.test(match) ? match : `https://${match}`;
}

function stripKeyWords(text: string): string {
  return unquote(text.replace(/^the\s+/i, '').replace(/\s+key$/i, ''));
}

function keyCombo(text: string): string {
  return text
    .replace(/\s*\+\s*/g, '+')
    .replace(/^control\b/i, 'ctrl')
    .replace(/\besc\b/i, 'Escape')
    .replace(/\breturn\b/i, 'Enter')
    .replace(/page ?(up|down)/i, (_, way: string) => `Page${way[0]!.toUpperCase()}${way.slice(1)}`)
    .replace(
      /^(enter|tab|escape|space|backspace|delete|home|end)$/i,
      (key) => key[0]!.toUpperCase() + key.slice(1).toLowerCase(),
    );
}

function unquote(text: string): string {
  return text
    .trim()
    .replace(/^["“'](.*)["”']$/, '$1')
    .trim();
}
