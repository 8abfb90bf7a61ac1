import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const keyFileName = 'credentials.key';
const nonceBytes = 12;
const tagBytes = 16;

/**
 * Seals provider keys with AES-256-GCM under the server's own key, so a copy of the database
 * alone does not reveal them. The server key comes from DESKHAND_CREDENTIALS_KEY (needed when
 * several servers share one database) or from a file the first start writes in the data dir.
 */
export class CredentialCipher {
  private constructor(private readonly key: Buffer) {}

  static load(configured: string | undefined, dataDir: string): CredentialCipher {
    if (configured) {
      const key = Buffer.from(configured, 'base64');
      if (key.length !== 32) {
        throw new Error('DESKHAND_CREDENTIALS_KEY must be 32 bytes in base64.');
      }
      return new CredentialCipher(key);
    }
    const path = join(dataDir, keyFileName);
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    return CredentialCipher.load(readFileSync(path, 'utf8').trim(), dataDir);
  }

  seal(plain: string): string {
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** The plain text, or undefined when it was sealed under another key or tampered with. */
  open(sealed: string): string | undefined {
    if (!sealed.startsWith('v1:')) {
      return undefined;
    }
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, nonceBytes));
    decipher.setAuthTag(bytes.subarray(nonceBytes, nonceBytes + tagBytes));
    try {
      const body = bytes.subarray(nonceBytes + tagBytes);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** A key's non-secret name: the start of its SHA-256, safe to show and to log. */
export function fingerprintOf(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}
