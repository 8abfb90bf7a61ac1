import jsonata from 'jsonata';

/**
 * How long one expression may evaluate and how deep it may nest, so none can hang a run.
 * LIMITATION: JSONata checks the time between evaluation steps, so one built-in call on huge
 * data (`$range(1, 1e8)`) runs to its end; evaluating in a worker thread would lift it.
 */
const guardrails = { timeout: 1_000, stack: 200 };

/**
 * The most an expression's value may weigh as JSON. Values are kept in the store and sent to
 * clients, so a short expression such as `$pad("x", 1e8)` must not become gigabytes there.
 */
export const MAX_VALUE_BYTES = 256 * 1024;

/** `{{ expression }}` inside a string field of a step. */
const templatePattern = /\{\{([\s\S]+?)\}\}/g;

/** What an expression reads: the run's inputs, earlier steps, and loop variables. */
export type Scope = Record<string, unknown>;

/** A JSONata expression that does not parse; `position` is the character where it failed. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/**
 * Parses an expression, throwing an {@link ExpressionError} with JSONata's explanation.
 * JSONata is a query language with no access to the host: no globals, no I/O, no `eval`.
 */
export function compile(source: string): jsonata.Expression {
  try {
    return jsonata(source, guardrails);
  } catch (error) {
    throw asExpressionError(error);
  }
}

/** Evaluates an expression over the scope; undefined (JSONata's "nothing") becomes null. */
export async function evaluate(source: string, scope: Scope): Promise<unknown> {
  try {
    const result: unknown = await compile(source).evaluate(scope);
    return plain(result);
  } catch (error) {
    throw asExpressionError(error);
  }
}

/** Whether an expression's value counts as true (JSONata's boolean casting). */
export async function evaluateCondition(source: string, scope: Scope): Promise<boolean> {
  const value = await evaluate(source, { ...scope });
  return truthy(value);
}

/** The `{{ … }}` expressions inside a string. */
export function templateExpressions(text: string): string[] {
  return [...text.matchAll(templatePattern)].map((match) => (match[1] ?? '').trim());
}

/** Replaces each `{{ expression }}` with its value, written as text (objects as JSON). */
export async function render(text: string, scope: Scope): Promise<string> {
  let rendered = '';
  let last = 0;
  for (const match of text.matchAll(templatePattern)) {
    const value = await evaluate((match[1] ?? '').trim(), scope);
    rendered += text.slice(last, match.index) + asText(value);
    last = (match.index ?? 0) + match[0].length;
  }
  return rendered + text.slice(last);
}

function asText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some(truthy);
  }
  if (value && typeof value === 'object') {
    return Object.keys(value).length > 0;
  }
  return Boolean(value);
}

/**
 * JSONata returns sequences with extra properties and may return functions; JSON
 * round-tripping makes plain values, and a function is no value (null).
 */
function plain(value: unknown): unknown {
  const text =
    JSON.stringify(value ?? null, (_key, item: unknown) => (isFunction(item) ? null : item)) ??
    'null';
  // Length counts UTF-16 units: at most 3 bytes each in UTF-8, a cheap bound before measuring.
  if (text.length > MAX_VALUE_BYTES / 3 && Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    const kib = Math.ceil(Buffer.byteLength(text) / 1024);
    throw new ExpressionError(
      `The value is ${kib} KiB as JSON; an expression's value may be at most ` +
        `${MAX_VALUE_BYTES / 1024} KiB.`,
    );
  }
  return JSON.parse(text) as unknown;
}

function isFunction(item: unknown): boolean {
  return (
    typeof item === 'function' ||
    (typeof item === 'object' && item !== null && '_jsonata_function' in item)
  );
}

function asExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) {
    return error;
  }
  const detail = error as { message?: string; position?: number; code?: string };
  const message = detail.message ?? String(error);
  return new ExpressionError(
    detail.code ? `${message} (${detail.code})` : message,
    detail.position,
  );
}
