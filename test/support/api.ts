/** A thin HTTP client for tests: every call returns status, headers and parsed body. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class Api {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  withKey(key: string): Api {
    return new Api(this.url, key);
  }

  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(this.url + path, {
      method,
      headers: {
        ...(this.key ? { 'x-api-key': this.key } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the test sees the text.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, body, headers);
  }

  async topUp(amountCents: number): Promise<void> {
    const response = await this.post('/v1/wallet/top-ups', { amount_cents: amountCents });
    if (response.status !== 200) {
      throw new Error(`top-up failed: ${JSON.stringify(response.body)}`);
    }
  }

  async machine(): Promise<string> {
    const response = await this.post('/v1/machines', { display_name: 'test machine' });
    if (response.status !== 200) {
      throw new Error(`machine failed: ${JSON.stringify(response.body)}`);
    }
    return response.body.machine.id as string;
  }

  /** Polls a run until `until` holds for it (its status by default: any ended status). */
  async waitForRun(
    runId: string,
    until: (run: any) => boolean = (run) =>
      ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status),
    timeoutMs = 30_000,
  ): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.get(`/v1/runs/${runId}`);
      if (until(body)) {
        return body;
      }
      if (Date.now() > deadline) {
        throw new Error(`run ${runId} did not get there in time: ${JSON.stringify(body)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
