import type { LookupAddress } from 'node:dns';

import { describe, expect, it } from 'vitest';

import { AppError } from '../errors/index.js';
import { checkWebhookUrl, guardedLookup, isPublicUnicast } from './address-guard.js';

function refusal(url: string, allowPrivate = false): AppError | undefined {
  try {
    checkWebhookUrl(url, allowPrivate);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
}

function lookupAll(
  allowPrivate: boolean,
  host: string,
): Promise<{ error: Error | null; addresses: LookupAddress[] }> {
  return new Promise((resolve) => {
    guardedLookup(allowPrivate)(host, { all: true }, (error, addresses) => {
      resolve({ error, addresses: Array.isArray(addresses) ? addresses : [] });
    });
  });
}

describe('checkWebhookUrl', () => {
  it.each([
    ['loopback', 'http://127.0.0.1/hook'],
    ['another loopback', 'http://127.8.9.10:8080/hook'],
    ['private 10/8', 'http://10.1.2.3/hook'],
    ['private 172.16/12', 'https://172.20.0.1/hook'],
    ['private 192.168/16', 'http://192.168.1.10/hook'],
    ['link-local, cloud metadata', 'http://169.254.169.254/latest/meta-data'],
    ['carrier-grade NAT', 'http://100.64.0.1/hook'],
    ['unspecified', 'http://0.0.0.0/hook'],
    ['multicast', 'http://224.0.0.1/hook'],
    ['broadcast', 'http://255.255.255.255/hook'],
    ['IPv4 written as one number', 'http://2130706433/hook'],
    ['IPv4 written in hex', 'http://0x7f.0.0.1/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['IPv6 unspecified', 'http://[::]/hook'],
    ['IPv6 unique-local', 'http://[fc00::1]/hook'],
    ['IPv6 unique-local fd', 'http://[fd12:3456::1]/hook'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
    ['IPv6 multicast', 'http://[ff02::1]/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['IPv4-mapped private', 'http://[::ffff:10.0.0.1]/hook'],
    ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/hook'],
    ['localhost', 'http://localhost:3000/hook'],
    ['localhost in capitals with a dot', 'http://LOCALHOST./hook'],
    ['a name under localhost', 'http://api.localhost/hook'],
  ])('refuses %s (%s)', (_name, url) => {
    expect(refusal(url)?.code).toBe('WEBHOOK_URL_REFUSED');
    expect(refusal(url)?.message).toMatch(/local|not a public address/);
  });

  it.each([
    ['not a URL', 'not a url', /valid absolute URL/],
    ['a relative path', '/hook', /valid absolute URL/],
    ['ftp', 'ftp://example.com/hook', /http or https/],
    ['file', 'file:///etc/passwd', /http or https/],
    ['a javascript URL', 'javascript:alert(1)', /http or https/],
    ['a user name', 'https://user@example.com/hook', /user name or password/],
    ['a password', 'https://user:pw@example.com/hook', /user name or password/],
  ])('refuses %s whatever the allowance', (_name, url, message) => {
    expect(refusal(url, false)?.message).toMatch(message);
    expect(refusal(url, true)?.message).toMatch(message);
  });

  it.each([
    'https://93.184.216.34/hook',
    'http://8.8.8.8:8080/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://[::ffff:93.184.216.34]/hook',
    'https://hooks.example.com/coasty?token=abc',
  ])('accepts the public URL %s without connecting to it', (url) => {
    expect(refusal(url)).toBeUndefined();
  });

  it.each([
    'http://127.0.0.1:9/hook',
    'http://[::1]/hook',
    'http://localhost/hook',
    'http://10.0.0.1/',
  ])('accepts %s when private addresses are allowed', (url) => {
    expect(refusal(url, true)).toBeUndefined();
  });
});

describe('isPublicUnicast', () => {
  it('judges addresses as they come from a resolver', () => {
    expect(isPublicUnicast('93.184.216.34')).toBe(true);
    expect(isPublicUnicast('2606:4700:4700::1111')).toBe(true);
    expect(isPublicUnicast('127.0.0.1')).toBe(false);
    expect(isPublicUnicast('::ffff:192.168.0.1')).toBe(false);
    expect(isPublicUnicast('not an address')).toBe(false);
  });
});

describe('guardedLookup', () => {
  it('refuses a name that resolves to a loopback address, naming the address', async () => {
    const { error } = await lookupAll(false, 'localhost');

    expect(error).toBeInstanceOf(AppError);
    expect(error?.message).toMatch(/'localhost' resolves to (127\.0\.0\.1|::1), which is not/);
  });

  it('resolves it when private addresses are allowed', async () => {
    const { error, addresses } = await lookupAll(true, 'localhost');

    expect(error).toBeNull();
    expect(addresses.map((entry) => entry.address)).toContain('127.0.0.1');
  });

  it('answers with one address when not asked for all', async () => {
    const answer = await new Promise<unknown[]>((resolve) => {
      guardedLookup(true)('localhost', { family: 4 }, (...args) => resolve(args));
    });

    expect(answer).toEqual([null, '127.0.0.1', 4]);
  });
});
