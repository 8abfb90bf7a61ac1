import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { isAppError } from '../errors/index.js';
import { checkWebhookUrl, guardedLookup } from './address-guard.js';

/** What one attempt came to, before any decision about retrying. */
export type SendOutcome =
  | { kind: 'response'; statusCode: number; retryAfter?: string }
  | { kind: 'network'; error: string }
  | { kind: 'refused'; error: string };

export interface SendRequest {
  url: string;
  /** The stored payload; its UTF-8 bytes are what was signed. */
  body: string;
  headers: Record<string, string>;
  allowPrivate: boolean;
  /** The whole exchange, from looking up the host to the response headers. */
  timeoutMs: number;
  signal: AbortSignal;
}

export interface DeliveryHeaderValues {
  deliveryId: string;
  eventType: string;
  signature: string;
}

/** The headers of every attempt; the signature is the only one that changes between them. */
export function deliveryHeaders(values: DeliveryHeaderValues): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Deskhand-Webhooks/1',
    'Coasty-Signature': values.signature,
    // Receivers written against the older header name keep working.
    'X-Coasty-Signature': values.signature,
    'Coasty-Delivery-Id': values.deliveryId,
    'Coasty-Event-Type': values.eventType,
  };
}

/**
 * POSTs one delivery. It never throws: a refused URL or address, a network failure, a
 * timeout and an abort all come back as an outcome. Redirects are not followed.
 */
export async function sendDelivery(send: SendRequest): Promise<SendOutcome> {
  try {
    // Checked again at send time: the allowance may have changed since the run was created,
    // and a literal address never goes through the guarded lookup.
    checkWebhookUrl(send.url, send.allowPrivate);
  } catch (error) {
    return failureOutcome(error, send.signal);
  }
  return post(new URL(send.url), send);
}

function post(target: URL, send: SendRequest): Promise<SendOutcome> {
  return new Promise((resolve) => {
    const body = Buffer.from(send.body, 'utf8');
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { ...send.headers, 'Content-Length': String(body.length) },
      lookup: guardedLookup(send.allowPrivate),
      // A fresh connection each time: a pooled socket would skip the lookup and its guard.
      agent: false,
      signal: send.signal,
    });

    const timer = setTimeout(() => {
      request.destroy(new Error(`The receiver did not answer within ${send.timeoutMs} ms.`));
    }, send.timeoutMs);
    const settle = (outcome: SendOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };

    request.on('response', (response) => {
      settle(responseOutcome(response.statusCode ?? 0, response.headers));
      // The status is the whole answer. Dropping the body unread bounds what a receiver can
      // make the server download or wait for.
      response.destroy();
    });
    request.on('error', (error) => settle(failureOutcome(error, send.signal)));
    request.end(body);
  });
}

function responseOutcome(statusCode: number, headers: IncomingHttpHeaders): SendOutcome {
  const retryAfter = headers['retry-after'];
  return retryAfter === undefined
    ? { kind: 'response', statusCode }
    : { kind: 'response', statusCode, retryAfter };
}

function failureOutcome(error: unknown, signal: AbortSignal): SendOutcome {
  if (isAppError(error) && error.code === 'WEBHOOK_URL_REFUSED') {
    return { kind: 'refused', error: error.message };
  }
  // An abort surfaces as a bare AbortError; the reason given to the signal says why.
  const cause = signal.aborted ? signal.reason : error;
  return { kind: 'network', error: cause instanceof Error ? cause.message : String(cause) };
}
