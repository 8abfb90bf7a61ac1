/** What every provider adapter is configured with. */
export interface ProviderSettings {
  /** The name runs select it by. */
  name?: string;
  /** The provider's model id, e.g. `claude-sonnet-4-6`. */
  model: string;
  apiKey: string;
  /** The API's base URL, e.g. `https://api.anthropic.com`. */
  baseUrl: string;
  /** The longest one call may take. */
  timeoutMs: number;
  /** Attempts on 429, 529 and 5xx, the first included. */
  maxAttempts: number;
  /** The first retry's delay when the provider names none. */
  backoffMs: number;
  /** Screenshots shown per request; older ones are replaced by a line of text. */
  imagesKept: number;
  fetch?: typeof fetch;
}
