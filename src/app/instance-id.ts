import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The identity of this installation, kept in its data dir: a restarted server recognizes
 * the runs it was driving and takes them back at once instead of waiting for their leases.
 */
export function readInstanceId(dataDir: string): string {
  const file = join(dataDir, 'instance-id');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const id = `srv_${randomUUID()}`;
  writeFileSync(file, id + '\n');
  return id;
}
