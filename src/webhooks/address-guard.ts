import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

import ipaddr from 'ipaddr.js';

import { AppError } from '../errors/index.js';

/**
 * Refuses a webhook URL the server must not call: one that does not parse, is not http(s),
 * carries credentials, or — unless `allowPrivate` — names `localhost` or a literal address
 * that is not public unicast. Throws `AppError('WEBHOOK_URL_REFUSED')`.
 *
 * A host name passes here; its addresses are checked when a delivery connects, by
 * {@link guardedLookup}, because what a name resolves to can change after this check.
 */
export function checkWebhookUrl(url: string, allowPrivate: boolean): void {
  const parsed = parseUrl(url);

  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refused(`The webhook URL must use http or https, not '${parsed.protocol}'.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw refused('The webhook URL must not carry a user name or password.');
  }
  if (allowPrivate) {
    return;
  }

  const host = bareHost(parsed.hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    throw refused(`The webhook URL's host '${host}' is local.`);
  }
  if (isIP(host) !== 0 && !isPublicUnicast(host)) {
    throw refused(`The webhook URL's address ${host} is not a public address.`);
  }
}

/**
 * A `lookup` for `http.request` that resolves every address of the host and fails unless all
 * are public unicast (or `allowPrivate`), so a name that resolves — or later re-resolves — to
 * a private address cannot be reached. The error is an `AppError('WEBHOOK_URL_REFUSED')`.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }

      const blocked = allowPrivate
        ? undefined
        : addresses.find((entry) => !isPublicUnicast(entry.address));
      if (blocked) {
        callback(refusedAddress(hostname, blocked), '');
        return;
      }
      answer(options, addresses, callback);
    });
  };
}

/**
 * Whether `address` is a global unicast address. IPv4-mapped IPv6 is judged as the IPv4 it
 * carries; every other special range (loopback, private, link-local, unique-local, carrier-
 * grade NAT, multicast, unspecified, documentation, NAT64, 6to4, Teredo, …) is not public.
 */
export function isPublicUnicast(address: string): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }
  // `process` unwraps ::ffff:a.b.c.d, so a mapped loopback is seen as loopback.
  return ipaddr.process(address).range() === 'unicast';
}

/** Answers in the shape the caller asked for: all addresses, or the first one. */
function answer(
  options: LookupOptions,
  addresses: LookupAddress[],
  callback: Parameters<LookupFunction>[2],
): void {
  if (options.all) {
    callback(null, addresses);
    return;
  }

  const first = addresses[0];
  if (!first) {
    callback(Object.assign(new Error('The host has no address.'), { code: 'ENOTFOUND' }), '');
    return;
  }
  callback(null, first.address, first.family);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw refused('The webhook URL is not a valid absolute URL.');
  }
}

/** The host without IPv6 brackets or the trailing dot of a fully qualified name. */
function bareHost(hostname: string): string {
  const unbracketed = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return unbracketed.replace(/\.$/, '').toLowerCase();
}

function refusedAddress(hostname: string, blocked: LookupAddress): AppError {
  return refused(
    `The webhook host '${hostname}' resolves to ${blocked.address}, which is not a public address.`,
  );
}

function refused(message: string): AppError {
  return new AppError('WEBHOOK_URL_REFUSED', message);
}
