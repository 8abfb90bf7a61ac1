import {
  chown,
  mkdir,
  mkdtemp,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HomeDir } from './beneath.js';
import { readBytes, writeBytes } from './file-io.js';
import { resolveWorkspacePath } from './resolve-path.js';
import { listDirectory } from './workspace-listing.js';

let root: string;
let realHome: string;
let outside: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'deskhand-beneath-')));
  realHome = path.join(root, 'home');
  outside = path.join(root, 'outside');
  await mkdir(path.join(realHome, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(realHome, 'sub', 'file.txt'), 'inside');
  await writeFile(path.join(outside, 'file.txt'), 'outside secret');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const refused = { code: 'VALIDATION_ERROR' };

/** Resolves while `sub` is a directory, then swaps it for a symlink out of the home. */
async function checkedThenSwapped(input: string) {
  const target = await resolveWorkspacePath({ homeDir: realHome, realHome }, input);
  await rm(path.join(realHome, 'sub'), { recursive: true });
  await symlink(outside, path.join(realHome, 'sub'));
  return target;
}

describe('file operations beneath the home', () => {
  it('refuses a directory swapped for a symlink after the path was checked', async () => {
    const home = new HomeDir(realHome);
    const target = await checkedThenSwapped('sub/file.txt');

    await expect(readBytes(home, target, 100)).rejects.toMatchObject(refused);
    const overwrite = writeBytes(home, target, Buffer.from('x'), {
      append: false,
      createDirs: true,
    });
    await expect(overwrite).rejects.toMatchObject(refused);
    expect(await readFile(path.join(outside, 'file.txt'), 'utf8')).toBe('outside secret');
  });

  it('does not list a directory swapped for a symlink after the check', async () => {
    const target = await checkedThenSwapped('sub');
    const listing = listDirectory(new HomeDir(realHome), target, {});
    await expect(listing).rejects.toMatchObject(refused);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "touches only the machine user's own files, and gives it those it creates",
    async () => {
      const nobody = { uid: 65534, gid: 65534 };
      const home = new HomeDir(realHome, nobody);
      const resolve = (input: string) =>
        resolveWorkspacePath({ homeDir: realHome, realHome }, input);

      // Root's file in the home, as a hard link to a file of another user would be.
      await expect(readBytes(home, await resolve('sub/file.txt'), 100)).rejects.toMatchObject({
        message: expect.stringMatching(/not the machine's own file/),
      });
      await chown(path.join(realHome, 'sub', 'file.txt'), nobody.uid, nobody.gid);
      const { bytes } = await readBytes(home, await resolve('sub/file.txt'), 100);
      expect(bytes.toString()).toBe('inside');

      await chown(path.join(realHome, 'sub'), nobody.uid, nobody.gid);
      const mode = { append: false, createDirs: true };
      await writeBytes(home, await resolve('sub/new/made.txt'), Buffer.from('y'), mode);
      const made = ['sub/new', 'sub/new/made.txt'].map((name) => stat(path.join(realHome, name)));
      expect((await Promise.all(made)).map((stats) => stats.uid)).toEqual([nobody.uid, nobody.uid]);
    },
  );
});
