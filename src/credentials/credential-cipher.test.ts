import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CredentialCipher, fingerprintOf } from './credential-cipher.js';

const apiKey = 'sk-ant-api03-a-key-that-must-not-leak';

describe('sealing provider keys', () => {
  it('seals with a fresh nonce each time and opens only under the same server key', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deskhand-cipher-'));
    const cipher = CredentialCipher.load(undefined, dataDir);
    const first = cipher.seal(apiKey);
    const second = cipher.seal(apiKey);
    expect(first).not.toBe(second);
    expect(first).not.toContain(apiKey);
    expect(Buffer.from(first.slice(3), 'base64').toString('latin1')).not.toContain(apiKey);
    expect(cipher.open(first)).toBe(apiKey);

    // The same data dir gives the same server key; its file is readable by the owner only.
    expect(CredentialCipher.load(undefined, dataDir).open(second)).toBe(apiKey);
    expect(statSync(join(dataDir, 'credentials.key')).mode & 0o077).toBe(0);
    const configured = CredentialCipher.load(randomBytes(32).toString('base64'), dataDir);
    expect(configured.open(first)).toBeUndefined();
    expect(readFileSync(join(dataDir, 'credentials.key'), 'utf8')).not.toContain(apiKey);
  });

  it('refuses a tampered seal and a server key of the wrong length', () => {
    const cipher = CredentialCipher.load(randomBytes(32).toString('base64'), '/nonexistent');
    const sealed = Buffer.from(cipher.seal(apiKey).slice(3), 'base64');
    sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 1;
    expect(cipher.open(`v1:${sealed.toString('base64')}`)).toBeUndefined();
    expect(() => CredentialCipher.load(randomBytes(16).toString('base64'), '/x')).toThrow(
      /32 bytes/,
    );
  });

  it('names a key by a short SHA-256 prefix', () => {
    expect(fingerprintOf(apiKey)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(fingerprintOf(apiKey)).toBe(fingerprintOf(apiKey));
    expect(fingerprintOf(apiKey)).not.toBe(fingerprintOf(`${apiKey}x`));
  });
});
