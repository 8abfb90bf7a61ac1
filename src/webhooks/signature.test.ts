import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { generateWebhookSecret, signPayload, verifySignature } from './signature.js';

const secret = 'whsec_test';
const body = '{"id":"dlv_1","type":"run.succeeded","data":{"run_id":"r","seq":3}}';
const timestamp = 1_750_000_000;

describe('signPayload', () => {
  it('signs "<t>." + body with HMAC-SHA256 in the t=,v1= scheme', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

    expect(signPayload(secret, timestamp, body)).toBe(`t=${timestamp},v1=${expected}`);
  });

  it('signs a string and its UTF-8 bytes alike', () => {
    const text = '{"note":"café ☕"}';

    expect(signPayload(secret, timestamp, Buffer.from(text, 'utf8'))).toBe(
      signPayload(secret, timestamp, text),
    );
  });
});

describe('verifySignature', () => {
  const header = signPayload(secret, timestamp, body);

  it('accepts its own signature within the tolerance', () => {
    expect(verifySignature(secret, header, body, { nowSeconds: timestamp })).toBe(true);
    expect(verifySignature(secret, header, body, { nowSeconds: timestamp + 300 })).toBe(true);
    expect(verifySignature(secret, header, body, { nowSeconds: timestamp - 300 })).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = body.replace('succeeded', 'failed');

    expect(verifySignature(secret, header, tampered, { nowSeconds: timestamp })).toBe(false);
  });

  it('rejects another secret', () => {
    expect(verifySignature('whsec_other', header, body, { nowSeconds: timestamp })).toBe(false);
  });

  it('rejects a timestamp moved to fit a replay', () => {
    const moved = header.replace(`t=${timestamp}`, `t=${timestamp + 1000}`);

    expect(verifySignature(secret, moved, body, { nowSeconds: timestamp + 1000 })).toBe(false);
  });

  it('rejects a signature older or newer than the tolerance', () => {
    expect(verifySignature(secret, header, body, { nowSeconds: timestamp + 301 })).toBe(false);
    expect(verifySignature(secret, header, body, { nowSeconds: timestamp - 301 })).toBe(false);
    expect(
      verifySignature(secret, header, body, { nowSeconds: timestamp + 600, toleranceSeconds: 600 }),
    ).toBe(true);
  });

  it('uses the system clock when no time is given', () => {
    const now = Math.floor(Date.now() / 1000);

    expect(verifySignature(secret, signPayload(secret, now, body), body)).toBe(true);
    expect(verifySignature(secret, header, body)).toBe(false);
  });

  it('accepts any matching v1 entry, as during a secret rotation', () => {
    const other = signPayload('whsec_old', timestamp, body).split(',')[1];

    expect(verifySignature(secret, `${header},${other}`, body, { nowSeconds: timestamp })).toBe(
      true,
    );
  });

  it.each(['', 'garbage', `t=${timestamp}`, 'v1=abcd', `t=abc,v1=00`, `t=${timestamp},v1=zz`])(
    'rejects the malformed header %j',
    (malformed) => {
      expect(verifySignature(secret, malformed, body, { nowSeconds: timestamp })).toBe(false);
    },
  );
});

describe('generateWebhookSecret', () => {
  it('makes whsec_ and 32 random bytes in hex, different each time', () => {
    const first = generateWebhookSecret();

    expect(first).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(generateWebhookSecret()).not.toBe(first);
  });
});
