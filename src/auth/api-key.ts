import { createHash, randomBytes } from 'node:crypto';

const keyPrefix = 'sk-coasty-live-';

/** A new random API key in the reference's format: `sk-coasty-live-<48 hex>`. */
export function generateApiKey(): string {
  return keyPrefix + randomBytes(24).toString('hex');
}

/**
 * Keys carry 192 random bits, so one SHA-256 is enough to store them: there is nothing to
 * guess that a slow hash would protect.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The 16 characters shown in lists to tell keys apart; never enough to use one. */
export function displayPrefix(key: string): string {
  const secretPart = key.startsWith(keyPrefix) ? key.slice(keyPrefix.length) : key;
  return secretPart.slice(0, 16);
}
