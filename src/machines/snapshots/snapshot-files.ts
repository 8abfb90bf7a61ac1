/**
 * The files of snapshots under `<dataDir>/snapshots/<id>/`: the machine's home and its browser
 * profile, copied into `<id>.partial/` and renamed into place once complete, so a crash never
 * leaves a half snapshot that looks whole.
 */
import {
  copyFile,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';

/** What a snapshot holds, as read back from its manifest. */
export interface SnapshotManifest {
  version: 1;
  snapshotId: string;
  hasProfile: boolean;
  sizeBytes: number;
}

export interface SnapshotSources {
  home: string;
  /** The browser profile directory, when the machine's browser keeps one on disk. */
  profile?: string;
}

const MANIFEST = 'snapshot.json';

// Locks that name the Chromium process which wrote them (a restored browser would refuse to
// start), and caches that a person would not miss and that are most of a profile's size.
const SKIPPED_PROFILE_ENTRIES = new Set([
  'SingletonLock',
  'SingletonSocket',
  'SingletonCookie',
  'Cache',
  'Code Cache',
  'GPUCache',
  'ShaderCache',
  'GrShaderCache',
  'GraphiteDawnCache',
  'DawnCache',
  'Crashpad',
  'component_crx_cache',
]);

export class SnapshotFiles {
  constructor(private readonly rootDir: string) {}

  /** Copies the sources into the snapshot's directory; resolves with what was stored. */
  async capture(snapshotId: string, sources: SnapshotSources): Promise<SnapshotManifest> {
    const partial = this.partialDir(snapshotId);
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true, mode: 0o700 });

    let sizeBytes = await copyTree(sources.home, join(partial, 'home'), () => false);
    const hasProfile = sources.profile !== undefined && (await isDirectory(sources.profile));
    if (hasProfile) {
      const skip = (name: string) => SKIPPED_PROFILE_ENTRIES.has(name);
      sizeBytes += await copyTree(sources.profile!, join(partial, 'profile'), skip);
    }

    const manifest: SnapshotManifest = { version: 1, snapshotId, hasProfile, sizeBytes };
    await writeFile(join(partial, MANIFEST), JSON.stringify(manifest));
    await rename(partial, this.finalDir(snapshotId));
    return manifest;
  }

  /** Fills a new machine's home (and profile, where it has one) from the snapshot. */
  async restore(snapshotId: string, targets: SnapshotSources): Promise<void> {
    const manifest = await this.manifest(snapshotId);
    if (manifest === undefined) {
      throw new Error(`The files of snapshot ${snapshotId} are missing.`);
    }
    const dir = this.finalDir(snapshotId);
    await copyTree(join(dir, 'home'), targets.home, () => false);
    if (manifest.hasProfile && targets.profile !== undefined) {
      await copyTree(join(dir, 'profile'), targets.profile, () => false);
    }
  }

  /** The manifest of a complete snapshot; undefined when it never completed. */
  async manifest(snapshotId: string): Promise<SnapshotManifest | undefined> {
    const text = await readFile(join(this.finalDir(snapshotId), MANIFEST), 'utf8').catch(
      () => undefined,
    );
    return text === undefined ? undefined : (JSON.parse(text) as SnapshotManifest);
  }

  /** Removes a snapshot's files, complete or not. */
  async remove(snapshotId: string): Promise<void> {
    await rm(this.finalDir(snapshotId), { recursive: true, force: true });
    await this.removePartial(snapshotId);
  }

  /** Removes what an interrupted capture left. */
  async removePartial(snapshotId: string): Promise<void> {
    await rm(this.partialDir(snapshotId), { recursive: true, force: true });
  }

  private finalDir(snapshotId: string): string {
    return join(this.rootDir, snapshotId);
  }

  private partialDir(snapshotId: string): string {
    return join(this.rootDir, `${snapshotId}.partial`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats?.isDirectory() ?? false;
}

/**
 * Copies files, directories and symbolic links (as links, never followed) with their modes;
 * sockets and pipes are left out. A live browser deletes files while it runs, so an entry
 * that vanishes between listing and copying is skipped. Resolves with the bytes copied.
 */
async function copyTree(
  from: string,
  to: string,
  skip: (name: string) => boolean,
): Promise<number> {
  const stats = await lstat(from).catch(() => undefined);
  if (stats === undefined || !stats.isDirectory()) {
    return 0;
  }
  await mkdir(to, { recursive: true, mode: stats.mode & 0o7777 });

  let bytes = 0;
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (skip(entry.name)) {
      continue;
    }
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      bytes += await copyTree(source, target, skip);
    } else if (entry.isFile()) {
      bytes += await copyEntry(() => copyFile(source, target), source);
    } else if (entry.isSymbolicLink()) {
      await copyEntry(async () => symlink(await readlink(source), target), source);
    }
  }
  return bytes;
}

async function copyEntry(copy: () => Promise<void>, source: string): Promise<number> {
  try {
    await copy();
    return (await lstat(source)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 0;
    }
    throw error;
  }
}
