/** Reads a JSON text column, giving `fallback` for NULL. */
export function readJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) {
    return fallback;
  }
  return JSON.parse(text) as T;
}

export function writeJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}
