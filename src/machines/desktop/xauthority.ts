/**
 * The X cookie of one desktop: Xvfb is started with `-auth` on this file, so only clients
 * that can read it (the machine's user and the server) reach the display; other machines'
 * users on this host are refused.
 */
import { randomBytes } from 'node:crypto';
import { chown, writeFile } from 'node:fs/promises';

const COOKIE_NAME = 'MIT-MAGIC-COOKIE-1';
// FamilyWild with an empty address and display number: the entry fits any display, so the
// file can be written before Xvfb has settled on a number.
const FAMILY_WILD = 0xffff;

/** Writes a fresh cookie in the Xauthority format, mode 0600, owned by `owner` if given. */
export async function writeXauthority(
  path: string,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  const entry = Buffer.concat([
    family,
    counted(Buffer.alloc(0)),
    counted(Buffer.alloc(0)),
    counted(Buffer.from(COOKIE_NAME, 'latin1')),
    counted(randomBytes(16)),
  ]);
  await writeFile(path, entry, { mode: 0o600 });
  if (owner !== undefined) {
    await chown(path, owner.uid, owner.gid);
  }
}

/** A field of the format: its length as a big-endian 16-bit number, then its bytes. */
function counted(bytes: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
