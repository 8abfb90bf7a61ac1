/**
 * The files of snapshots under `<dataDir>/snapshots/<id>/`: the machine's home and its browser
 * profile as tar archives, written into `<id>.partial/` and renamed into place once complete,
 * so a crash never leaves a half snapshot that looks whole.
 *
 * tar runs as the machine's user on both ends: a machine can change its home while it is read,
 * and root walking it would follow a directory swapped for a symlink out of it; unpacking with
 * the new machine's rights keeps an archive from writing anywhere that machine could not.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';

import { giveTo } from '../users/index.js';
import type { MachineUser } from '../users/index.js';

/** What a snapshot holds, as read back from its manifest. */
export interface SnapshotManifest {
  version: 2;
  snapshotId: string;
  hasProfile: boolean;
  sizeBytes: number;
}

export interface SnapshotSources {
  home: string;
  /** The browser profile directory, when the machine's browser keeps one on disk. */
  profile?: string;
  /** Whose rights tar reads or writes the machine's files with. */
  user: MachineUser;
}

const MANIFEST = 'snapshot.json';
// Other users may pass through, not list: how machine directories lead to what a user owns.
const PASS_THROUGH_MODE = 0o711;
const TAR = '/usr/bin/tar';

// Locks that name the Chromium process which wrote them (a restored browser would refuse to
// start), and caches that a person would not miss and that are most of a profile's size.
const SKIPPED_PROFILE_ENTRIES = [
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
  'component_crx_cache',
];

export class SnapshotFiles {
  constructor(private readonly rootDir: string) {}

  /** Archives the sources into the snapshot's directory; resolves with what was stored. */
  async capture(snapshotId: string, sources: SnapshotSources): Promise<SnapshotManifest> {
    const partial = this.partialDir(snapshotId);
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true, mode: 0o700 });

    let sizeBytes = await archive(sources.home, join(partial, 'home.tar'), sources.user, []);
    const hasProfile = sources.profile !== undefined && (await isDirectory(sources.profile));
    if (hasProfile) {
      const archivePath = join(partial, 'profile.tar');
      sizeBytes += await archive(sources.profile!, archivePath, sources.user, skippedInProfile());
    }

    const manifest: SnapshotManifest = { version: 2, snapshotId, hasProfile, sizeBytes };
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
    await unpack(join(dir, 'home.tar'), targets.home, targets.user);
    if (manifest.hasProfile && targets.profile !== undefined) {
      await unpack(join(dir, 'profile.tar'), targets.profile, targets.user);
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

function skippedInProfile(): string[] {
  return SKIPPED_PROFILE_ENTRIES.map((name) => `--exclude=${name}`);
}

async function isDirectory(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats?.isDirectory() ?? false;
}

/** Writes `dir` as a tar archive to `archivePath`; resolves with the archive's size. */
async function archive(
  dir: string,
  archivePath: string,
  user: MachineUser,
  extraArgs: string[],
): Promise<number> {
  const args = [
    '--create',
    '--file=-',
    `--directory=${dir}`,
    // A live browser deletes and rewrites files while they are read; what is there is kept.
    '--ignore-failed-read',
    '--warning=no-file-changed',
    '--warning=no-file-removed',
    '--warning=no-file-ignored',
    ...extraArgs,
    '.',
  ];
  const output = createWriteStream(archivePath, { mode: 0o600 });
  // Exit status 1 is "some files changed while being read", expected of a running machine.
  await runTar(args, user, { stdout: output }, [0, 1]);
  return (await lstat(archivePath)).size;
}

/**
 * Unpacks an archive into `dir`, which is created for the user when missing; the machine
 * directory around it (root's) is made passable, as the machine's own start would make it.
 */
async function unpack(archivePath: string, dir: string, user: MachineUser): Promise<void> {
  await mkdir(dirname(dir), { recursive: true, mode: PASS_THROUGH_MODE });
  await chmod(dirname(dir), PASS_THROUGH_MODE);
  await giveTo(dir, user);
  const args = ['--extract', '--file=-', `--directory=${dir}`, '--no-same-owner'];
  await runTar(args, user, { stdin: createReadStream(archivePath) }, [0]);
}

async function runTar(
  args: string[],
  user: MachineUser,
  streams: { stdin?: Readable; stdout?: Writable },
  okCodes: number[],
): Promise<void> {
  const ids = user.isolated ? { uid: user.uid, gid: user.gid } : {};
  const child = spawn(TAR, args, {
    ...ids,
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    stdio: [streams.stdin ? 'pipe' : 'ignore', streams.stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });

  // A tar that stops early breaks the pipe; its own complaint says why, so it is read first.
  const piped = await Promise.allSettled([
    streams.stdin ? pipeline(streams.stdin, child.stdin!) : undefined,
    streams.stdout ? pipeline(child.stdout!, streams.stdout) : undefined,
  ]);
  const code = await exited;
  // tar stops reading at the archive's end marker, so the padding after it may meet a closed
  // pipe (EPIPE); with tar content, that is no loss.
  const broken = piped.find(
    (result) => result.status === 'rejected' && !(code === 0 && isClosedPipe(result.reason)),
  );
  if (code === null || !okCodes.includes(code) || broken !== undefined) {
    const reason = stderr.trim().split('\n').at(-1) ?? 'no message';
    throw new Error(`tar ${args[0]} exited with status ${code}: ${reason}`);
  }
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
