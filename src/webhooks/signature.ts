import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a receiver tolerates between the signed timestamp and its own clock, by default. */
export const defaultToleranceSeconds = 300;

/** The bytes a delivery is sent as; a string is taken as UTF-8, like the body on the wire. */
export type RawBody = string | Uint8Array;

export interface VerifyOptions {
  /** How far the signed timestamp may be from `nowSeconds`, either way. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's current Unix time in seconds. Default: the system clock. */
  nowSeconds?: number;
}

/** A new secret for signing one run's deliveries: `whsec_` and 64 hex digits. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/**
 * The `Coasty-Signature` value for one attempt: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, the
 * HMAC keyed with `secret` over `"<t>." + rawBody`.
 */
export function signPayload(secret: string, timestampSeconds: number, rawBody: RawBody): string {
  const timestamp = Math.floor(timestampSeconds);
  return `t=${timestamp},v1=${digest(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Whether `header` is a valid signature of `rawBody` made with `secret` within the tolerance.
 * Any `v1` entry may match, so a sender can sign with two secrets while rotating.
 */
export function verifySignature(
  secret: string,
  header: string,
  rawBody: RawBody,
  options: VerifyOptions = {},
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed) {
    return false;
  }

  const toleranceSeconds = options.toleranceSeconds ?? defaultToleranceSeconds;
  const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) {
    return false;
  }

  const expected = digest(secret, parsed.timestamp, rawBody);
  // Every candidate is compared, matched or not, so the time taken says nothing about which.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
      matched = true;
    }
  }
  return matched;
}

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseSignatureHeader(header: string): ParsedHeader | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];

  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) {
      continue;
    }
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) {
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]+$/i.test(value) && value.length % 2 === 0) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }

  if (timestamp === undefined || signatures.length === 0) {
    return undefined;
  }
  return { timestamp, signatures };
}

function digest(secret: string, timestampSeconds: number, rawBody: RawBody): Buffer {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest();
}
