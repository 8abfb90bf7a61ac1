/** A small client of the public API, as any user's program would speak to the server. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        'x-api-key': this.apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = json?.error;
      throw new Error(error ? `${error.code}: ${error.message}` : `HTTP ${response.status}`);
    }
    return json as T;
  }

  /** Follows a run's SSE stream, calling `onEvent` for each event until `done`. */
  async follow(runId: string, onEvent: (event: StreamedEvent) => void): Promise<void> {
    const response = await fetch(new URL(`/v1/runs/${runId}/events`, this.baseUrl), {
      headers: { 'x-api-key': this.apiKey, accept: 'text/event-stream' },
    });
    if (!response.ok || !response.body) {
      throw new Error(`Could not follow run ${runId}: HTTP ${response.status}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) {
          onEvent(JSON.parse(data) as StreamedEvent);
        }
      }
    }
  }
}

export interface StreamedEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}
